import { expect, test } from 'bun:test';
import { adminAccess, allowed, cookieFor, tokenMatches } from './auth.ts';

const TOKEN = 'correct-horse-battery-staple';

test('with a token, only the token (header or cookie) gets in, in dev or not', () => {
  for (const dev of [true, false]) {
    const access = adminAccess(dev, TOKEN);
    expect(allowed(access, `Bearer ${TOKEN}`, null)).toBe(true);
    expect(allowed(access, null, cookieFor(TOKEN))).toBe(true);
    expect(allowed(access, null, null)).toBe(false);
    expect(allowed(access, 'Bearer wrong-token-of-some-length', null)).toBe(false);
    expect(allowed(access, TOKEN, null)).toBe(false);
    expect(allowed(access, null, TOKEN)).toBe(false);
    expect(allowed(access, null, cookieFor('another-token-entirely'))).toBe(false);
  }
});

test('without a token: open in dev, refused everywhere else', () => {
  expect(adminAccess(true, null)).toEqual({ mode: 'open' });
  expect(allowed(adminAccess(true, null), null, null)).toBe(true);
  expect(adminAccess(false, null)).toEqual({ mode: 'disabled' });
  expect(allowed(adminAccess(false, null), `Bearer ${TOKEN}`, cookieFor(TOKEN))).toBe(false);
});

test('the cookie is not the token, and tokens compare whole', () => {
  expect(cookieFor(TOKEN)).not.toContain(TOKEN);
  expect(tokenMatches(TOKEN, TOKEN)).toBe(true);
  expect(tokenMatches(TOKEN.slice(0, -1), TOKEN)).toBe(false);
  expect(tokenMatches('', TOKEN)).toBe(false);
});
