import { expect, test } from 'bun:test';
import { ResumeTokens } from './resume.ts';

test('a signed token names its user and connection, and is fresh only within its ttl', () => {
  const clock = { now: 1_000_000 };
  const tokens = new ResumeTokens('secret', 60_000, () => clock.now);
  const token = tokens.sign('u_abc', 'c_1');
  expect(tokens.verify(token)).toEqual({ userId: 'u_abc', conn: 'c_1', fresh: true });
  clock.now += 60_001;
  expect(tokens.verify(token)).toEqual({ userId: 'u_abc', conn: 'c_1', fresh: false });
});

test('a forged, altered or foreign token is refused', () => {
  const tokens = new ResumeTokens('secret', 60_000);
  const other = new ResumeTokens('other-secret', 60_000);
  const token = tokens.sign('u_abc', 'c_1');
  expect(tokens.verify(other.sign('u_abc', 'c_1'))).toBeNull();
  expect(tokens.verify(token.replace('u_abc', 'u_abd'))).toBeNull();
  expect(tokens.verify(token.replace('c_1', 'c_2'))).toBeNull();
  expect(tokens.verify('garbage')).toBeNull();
  expect(tokens.verify('')).toBeNull();
  expect(tokens.verify('a.b.c'.repeat(100))).toBeNull();
});
