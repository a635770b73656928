/**
 * Resume tokens: `<userId>.<issuedAt base36>.<HMAC-SHA256 base64url>`, signed with a secret all
 * instances share. A token proves who the user was; the session it may take back is decided by
 * the server's state (the resume grace period), not by the token.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export class ResumeTokens {
  constructor(
    private readonly secret: string,
    private readonly ttlMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  sign(userId: string): string {
    const body = `${userId}.${this.now().toString(36)}`;
    return `${body}.${this.mac(body)}`;
  }

  /** The user id a valid, unexpired token names; null otherwise. */
  verify(token: string): string | null {
    if (token.length > 256) return null;
    const cut = token.lastIndexOf('.');
    if (cut <= 0) return null;
    const body = token.slice(0, cut);
    const given = Buffer.from(token.slice(cut + 1));
    const expected = Buffer.from(this.mac(body));
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
    const dot = body.lastIndexOf('.');
    const issuedAt = Number.parseInt(body.slice(dot + 1), 36);
    if (dot <= 0 || !Number.isFinite(issuedAt) || this.now() - issuedAt > this.ttlMs) return null;
    return body.slice(0, dot);
  }

  private mac(body: string): string {
    return createHmac('sha256', this.secret).update(body).digest('base64url');
  }
}
