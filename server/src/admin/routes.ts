/**
 * /admin over HTTP (Hono): the page, its script and statechart, the SSE stream, a JSON snapshot
 * for scripts, and "follow this user in the Stately inspector". Every route is behind the access
 * rule of auth.ts; the SSE stream pushes a payload every refresh until the browser goes away.
 */
import type { Context, Hono, Next } from 'hono';
import { getCookie, setCookie } from 'hono/cookie';
import { streamSSE } from 'hono/streaming';
import type { ModerationRecords } from '../ports.ts';
import { ADMIN_COOKIE, type AdminAccess, allowed, cookieFor, tokenMatches } from './auth.ts';
import type { AdminHub } from './hub.ts';
import { mountModeration } from './moderation.ts';
import { DISABLED_PAGE, loginPage } from './page.ts';

export interface AdminRoutesDeps {
  access: AdminAccess;
  hub: AdminHub;
  page: string;
  script: string;
  /** The moderation panel's script. */
  moderationScript: string;
  svg: string;
  /** Streams a user's actor to the Stately inspector; null when INSPECT is off. */
  follow: ((userId: string) => 'following' | 'unknown user') | null;
  /** Reports and bans (PostgreSQL). */
  moderation: ModerationRecords;
}

const COOKIE_MAX_AGE_S = 12 * 3600;
const MAX_QUERY = 100;

function remember(c: Context, token: string): void {
  const https = c.req.header('x-forwarded-proto') === 'https' || new URL(c.req.url).protocol === 'https:';
  setCookie(c, ADMIN_COOKIE, cookieFor(token), {
    httpOnly: true,
    sameSite: 'Strict',
    path: '/admin',
    maxAge: COOKIE_MAX_AGE_S,
    secure: https,
  });
}

function guard(access: AdminAccess) {
  return async (c: Context, next: Next) => {
    if (access.mode === 'disabled') return c.html(DISABLED_PAGE, 403);
    if (c.req.path === '/admin/login') return next();
    if (allowed(access, c.req.header('authorization'), getCookie(c, ADMIN_COOKIE))) return next();
    // A link with ?token= signs the browser in, then drops the token from the address bar.
    const fromLink = c.req.query('token');
    if (access.mode === 'token' && c.req.path === '/admin' && tokenMatches(fromLink, access.token)) {
      remember(c, access.token);
      return c.redirect('/admin', 303);
    }
    if (c.req.path === '/admin')
      return c.html(loginPage(fromLink ? 'That token is wrong.' : 'Sign in with the admin token.'), 401);
    return c.json({ error: 'unauthorized' }, 401);
  };
}

/** Mounts /admin and everything under it on the app. */
export function mountAdmin(app: Hono, d: AdminRoutesDeps): void {
  app.use('/admin', guard(d.access));
  app.use('/admin/*', guard(d.access));
  app.get('/admin', (c) => c.html(d.page));
  app.get('/admin/app.js', (c) => c.body(d.script, 200, { 'Content-Type': 'text/javascript; charset=utf-8' }));
  app.get('/admin/moderation.js', (c) =>
    c.body(d.moderationScript, 200, { 'Content-Type': 'text/javascript; charset=utf-8' }),
  );
  app.get('/admin/statechart.svg', (c) => c.body(d.svg, 200, { 'Content-Type': 'image/svg+xml' }));
  app.get('/admin/api/state', async (c) => c.json(await d.hub.payload((c.req.query('q') ?? '').slice(0, MAX_QUERY))));
  app.post('/admin/login', async (c) => {
    const form = await c.req.parseBody();
    const token = typeof form.token === 'string' ? form.token : '';
    if (d.access.mode !== 'token' || !tokenMatches(token, d.access.token)) {
      return c.html(loginPage('That token is wrong.'), 401);
    }
    remember(c, d.access.token);
    return c.redirect('/admin', 303);
  });
  mountModeration(app, d.moderation);
  app.post('/admin/api/inspect/:userId', (c) => {
    if (!d.follow) return c.json({ error: 'the inspector is off (INSPECT=1)' }, 409);
    const result = d.follow(c.req.param('userId'));
    return result === 'following' ? c.json({ ok: true }) : c.json({ error: result }, 404);
  });
  app.get('/admin/events', (c) => {
    const query = (c.req.query('q') ?? '').slice(0, MAX_QUERY);
    return streamSSE(c, async (stream) => {
      let id = 0;
      const send = (data: string) => void stream.writeSSE({ event: 'tick', data, id: String(++id) }).catch(() => {});
      const stop = d.hub.watch(query, send);
      if (!stop) {
        await stream.writeSSE({ event: 'busy', data: 'too many admin pages are open' });
        return;
      }
      const closed = new Promise<void>((resolve) => stream.onAbort(resolve));
      send(JSON.stringify(await d.hub.payload(query)));
      await closed;
      stop();
    });
  });
}
