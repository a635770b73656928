/**
 * The bot-check pass: proof that this device solved a proof-of-work challenge lately, in a signed
 * HttpOnly cookie `<device>.<expires base36>.<mac>`. It lets the device connect past the rate at
 * which the bot check is demanded (not past the hard limit), until it expires.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { cookie } from './device.ts';

export const PASS_COOKIE = 'serendip_pass';
export const PASS_TTL_MS = 30 * 60_000;

export class Passes {
  constructor(
    private readonly secret: string,
    private readonly secure: boolean,
    private readonly now: () => number = Date.now,
  ) {}

  /** The Set-Cookie header value of a fresh pass for `device`. */
  header(device: string): string {
    const body = `${device}.${(this.now() + PASS_TTL_MS).toString(36)}`;
    return cookie(PASS_COOKIE, `${body}.${this.mac(body)}`, PASS_TTL_MS / 1000, this.secure);
  }

  /** Whether `value` is an unexpired pass issued to `device`. */
  valid(value: string | undefined, device: string): boolean {
    if (!value || value.length > 200) return false;
    const cut = value.lastIndexOf('.');
    const body = value.slice(0, cut);
    const given = Buffer.from(value.slice(cut + 1));
    const expected = Buffer.from(this.mac(body));
    if (cut <= 0 || given.length !== expected.length || !timingSafeEqual(given, expected)) return false;
    const [id, expires] = body.split('.');
    return id === device && Number.parseInt(expires ?? '', 36) > this.now();
  }

  private mac(body: string): string {
    return createHmac('sha256', this.secret).update(`pass:${body}`).digest('base64url');
  }
}
