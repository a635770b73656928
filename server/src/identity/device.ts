/**
 * The durable anonymous identity: a random device id in a signed cookie, issued on the first
 * visit and kept for 400 days (the most browsers allow). Blocks, reports and bans hold on it; it
 * says nothing about the person. Its flags remember what this device confirmed (18+).
 * Value: `<deviceId>.<flags base36>.<HMAC-SHA256 base64url>`.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

export const DEVICE_COOKIE = 'serendip_device';
const MAX_AGE_S = 400 * 24 * 3600;
/** The device confirmed it is used by an adult (the 18+ gate). */
export const ADULT = 1;

export interface Device {
  id: string;
  flags: number;
}

export function newDeviceId(): string {
  return `d_${randomBytes(16).toString('base64url')}`;
}

export class DeviceCookies {
  constructor(
    private readonly secret: string,
    /** Secure in production (HTTPS); off for plain-HTTP development. */
    private readonly secure: boolean,
  ) {}

  /** The device a cookie value names; null when absent, altered or forged. */
  read(value: string | undefined): Device | null {
    if (!value || value.length > 200) return null;
    const [id, flags, mac, ...rest] = value.split('.');
    if (!id || flags === undefined || !mac || rest.length > 0 || !/^d_[\w-]{16,40}$/.test(id)) return null;
    const given = Buffer.from(mac);
    const expected = Buffer.from(this.mac(`${id}.${flags}`));
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
    const n = Number.parseInt(flags, 36);
    return Number.isFinite(n) ? { id, flags: n } : null;
  }

  /** The Set-Cookie header value for `device`. */
  header(device: Device): string {
    const body = `${device.id}.${device.flags.toString(36)}`;
    return cookie(DEVICE_COOKIE, `${body}.${this.mac(body)}`, MAX_AGE_S, this.secure);
  }

  private mac(body: string): string {
    return createHmac('sha256', this.secret).update(`device:${body}`).digest('base64url');
  }
}

/** A Set-Cookie value: HttpOnly (scripts never see it), SameSite=Lax, Path=/, Secure when asked. */
export function cookie(name: string, value: string, maxAgeS: number, secure: boolean): string {
  return `${name}=${value}; Max-Age=${maxAgeS}; Path=/; HttpOnly; SameSite=Lax${secure ? '; Secure' : ''}`;
}

/** One cookie's value from a Cookie header. */
export function cookieValue(header: string | null, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}
