/**
 * Who gets into /admin, against real server processes: outside dev it needs ADMIN_TOKEN and
 * refuses a missing or wrong one; with no token configured it refuses everyone; in dev it is open.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { freshStores, type RunningServer, type Stores, startServer } from './support/server.ts';

const TOKEN = 'test-admin-token-0123456789';
const ADMIN_PATHS = [
  '/admin',
  '/admin/api/state',
  '/admin/events',
  '/admin/app.js',
  '/admin/moderation.js',
  '/admin/statechart.svg',
  '/admin/api/reports',
  '/admin/api/bans',
];

let stores: Stores;
beforeAll(async () => {
  stores = await freshStores('real');
});
afterAll(() => stores.drop());

const get = (s: RunningServer, path: string, headers: Record<string, string> = {}) =>
  fetch(`${s.url}${path}`, { headers, redirect: 'manual' });

describe('outside dev, with ADMIN_TOKEN', () => {
  let s: RunningServer;
  beforeAll(async () => {
    s = await startServer({ ...stores.isolated(), ADMIN_TOKEN: TOKEN });
  });
  afterAll(() => s.stop());

  test('a missing or wrong token is refused on every admin route', async () => {
    for (const path of ADMIN_PATHS) {
      expect((await get(s, path)).status).toBe(401);
      expect((await get(s, path, { authorization: 'Bearer wrong-token-but-long-enough' })).status).toBe(401);
      expect((await get(s, path, { cookie: 'serendip_admin=forged' })).status).toBe(401);
    }
    const page = await get(s, '/admin?token=wrong-token-but-long-enough');
    expect(page.status).toBe(401);
    expect(await page.text()).toContain('That token is wrong.');
    const login = await fetch(`${s.url}/admin/login`, {
      method: 'POST',
      body: new URLSearchParams({ token: 'nope' }),
      redirect: 'manual',
    });
    expect(login.status).toBe(401);
    expect(login.headers.get('set-cookie')).toBeNull();
  });

  test('the right token gets in, by header, by link or by the login form, and the cookie is not the token', async () => {
    const byHeader = await get(s, '/admin/api/state', { authorization: `Bearer ${TOKEN}` });
    expect(byHeader.status).toBe(200);
    expect((await byHeader.json()).total.instances).toBe(1);
    const byLink = await get(s, `/admin?token=${TOKEN}`);
    expect(byLink.status).toBe(303);
    expect(byLink.headers.get('location')).toBe('/admin');
    const cookie = (byLink.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
    expect(cookie).toStartWith('serendip_admin=');
    expect(cookie).not.toContain(TOKEN);
    expect(byLink.headers.get('set-cookie')).toContain('HttpOnly');
    for (const path of ADMIN_PATHS.filter((p) => p !== '/admin/events')) {
      expect((await get(s, path, { cookie })).status).toBe(200);
    }
    const byForm = await fetch(`${s.url}/admin/login`, {
      method: 'POST',
      body: new URLSearchParams({ token: TOKEN }),
      redirect: 'manual',
    });
    expect(byForm.status).toBe(303);
    expect(byForm.headers.get('set-cookie')?.split(';')[0]).toBe(cookie);
  });
});

test('outside dev with no ADMIN_TOKEN, /admin refuses everyone', async () => {
  const s = await startServer(stores.isolated());
  try {
    for (const path of ADMIN_PATHS) {
      const res = await get(s, path, { authorization: `Bearer ${TOKEN}` });
      expect(res.status).toBe(403);
      expect(await res.text()).toContain('ADMIN_TOKEN');
    }
  } finally {
    await s.stop();
  }
});

test('in dev (SERENDIP_DEV=1, set by `bun run dev`) with no token, /admin is open', async () => {
  const s = await startServer({ ...stores.isolated(), SERENDIP_DEV: '1' });
  try {
    const res = await get(s, '/admin');
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain('data-state="waiting.queued"');
    expect((await get(s, '/admin/app.js')).headers.get('content-type')).toContain('javascript');
  } finally {
    await s.stop();
  }
});
