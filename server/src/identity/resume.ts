/**
 * Resume tokens: `<userId>.<conn>.<issuedAt base36>.<HMAC-SHA256 base64url>`, signed with a secret
 * all instances share. A token names one connection of one user. It takes that connection back for
 * as long as the connection is held — its socket open, or within the resume grace after it
 * dropped — and for `ttlMs` after it was issued (a drop right after `hello`). Past both, it is
 * worth nothing: the grace period plus a margin after the socket dropped, which is what makes it
 * short-lived without a way to refresh it (a user may stay connected for hours).
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export interface ResumeClaim {
  userId: string;
  /** The connection the token was issued to. */
  conn: string;
  /** Issued within `ttlMs`: good even when its connection is no longer held. */
  fresh: boolean;
}

export class ResumeTokens {
  constructor(
    private readonly secret: string,
    private readonly ttlMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  sign(userId: string, conn: string): string {
    const body = `${userId}.${conn}.${this.now().toString(36)}`;
    return `${body}.${this.mac(body)}`;
  }

  /** What a valid token claims; null for anything forged, altered or malformed. */
  verify(token: string): ResumeClaim | null {
    if (token.length > 256) return null;
    const cut = token.lastIndexOf('.');
    if (cut <= 0) return null;
    const body = token.slice(0, cut);
    const given = Buffer.from(token.slice(cut + 1));
    const expected = Buffer.from(this.mac(body));
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
    const [userId, conn, at, ...rest] = body.split('.');
    const issuedAt = Number.parseInt(at ?? '', 36);
    if (!userId || !conn || rest.length > 0 || !Number.isFinite(issuedAt)) return null;
    return { userId, conn, fresh: this.now() - issuedAt <= this.ttlMs };
  }

  private mac(body: string): string {
    return createHmac('sha256', this.secret).update(body).digest('base64url');
  }
}
