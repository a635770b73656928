/**
 * Who a request comes from, as far as moderation needs to know: the device in its cookie (a new
 * one, and the cookie to set, when it has none or a bad one) and the keyed hash of its address.
 */
import { addressHash, clientAddress } from './address.ts';
import { ADULT, cookieValue, DEVICE_COOKIE, type Device, DeviceCookies, newDeviceId } from './device.ts';

export interface RequestWho {
  device: Device;
  ipHash: string;
  /** Set-Cookie for a device issued now; null when the request brought a good cookie. */
  setCookie: string | null;
}

export class Identities {
  readonly cookies: DeviceCookies;

  constructor(
    private readonly secret: string,
    secure: boolean,
    private readonly trustedProxyDepth: number,
  ) {
    this.cookies = new DeviceCookies(secret, secure);
  }

  /** `peer` is the socket's address (Bun's requestIP); X-Forwarded-For counts only behind trusted proxies. */
  of(headers: Headers, peer: string): RequestWho {
    const ipHash = addressHash(
      this.secret,
      clientAddress(headers.get('x-forwarded-for'), peer, this.trustedProxyDepth),
    );
    const known = this.cookies.read(cookieValue(headers.get('cookie'), DEVICE_COOKIE));
    if (known) return { device: known, ipHash, setCookie: null };
    const device = { id: newDeviceId(), flags: 0 };
    return { device, ipHash, setCookie: this.cookies.header(device) };
  }

  /** The cookie of `device` once it confirmed it is used by an adult. */
  adultCookie(device: Device): string {
    return this.cookies.header({ id: device.id, flags: device.flags | ADULT });
  }
}
