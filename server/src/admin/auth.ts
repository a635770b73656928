/**
 * Who may see /admin. With ADMIN_TOKEN set, only holders of the token (a Bearer header, or the
 * cookie the login form sets); without it, everyone in dev and no one otherwise, so a production
 * instance that forgot the token refuses rather than exposing its users.
 */
import { createHash, timingSafeEqual } from 'node:crypto';

export type AdminAccess = { mode: 'token'; token: string } | { mode: 'open' } | { mode: 'disabled' };

export const ADMIN_COOKIE = 'serendip_admin';

export function adminAccess(dev: boolean, token: string | null): AdminAccess {
  if (token) return { mode: 'token', token };
  return dev ? { mode: 'open' } : { mode: 'disabled' };
}

const digest = (s: string) => createHash('sha256').update(`serendip-admin:${s}`).digest();

/** The cookie holds a digest of the token, not the token itself. */
export function cookieFor(token: string): string {
  return digest(token).toString('base64url');
}

/** Constant-time comparison of a presented token with the configured one. */
export function tokenMatches(presented: string | null | undefined, token: string): boolean {
  if (!presented) return false;
  return timingSafeEqual(digest(presented), digest(token));
}

function cookieMatches(presented: string | null | undefined, token: string): boolean {
  if (!presented) return false;
  const a = Buffer.from(presented);
  const b = Buffer.from(cookieFor(token));
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Whether a request with this Authorization header and admin cookie may see /admin. */
export function allowed(
  access: AdminAccess,
  authorization: string | null | undefined,
  cookie: string | null | undefined,
) {
  if (access.mode === 'open') return true;
  if (access.mode === 'disabled') return false;
  const bearer = authorization?.match(/^Bearer\s+(.+)$/i)?.[1];
  return tokenMatches(bearer, access.token) || cookieMatches(cookie, access.token);
}
