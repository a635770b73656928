/**
 * A browser as the server sees it, without a browser: a cookie jar (the device cookie, the bot
 * check's pass) and an address (sent as X-Forwarded-For to a server that trusts one proxy).
 */
import { TestClient } from './client.ts';

export class Jar {
  private readonly cookies = new Map<string, string>();

  constructor(
    private readonly base: string,
    /** The client address a trusted proxy would report; none: the socket's own (127.0.0.1). */
    readonly address: string | null = null,
  ) {}

  /** Request headers: the cookies kept so far, and the address. */
  headers(): Record<string, string> {
    const h: Record<string, string> = {};
    if (this.cookies.size > 0) h.cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    if (this.address) h['x-forwarded-for'] = this.address;
    return h;
  }

  /** An HTTP request to the server, keeping the cookies it sets. */
  async fetch(path: string, init: RequestInit = {}): Promise<Response> {
    const res = await fetch(`${this.base}${path}`, { ...init, headers: { ...this.headers(), ...init.headers } });
    for (const line of res.headers.getSetCookie()) {
      const [pair = ''] = line.split(';');
      const eq = pair.indexOf('=');
      if (eq > 0) this.cookies.set(pair.slice(0, eq).trim(), pair.slice(eq + 1).trim());
    }
    return res;
  }

  /** GET /api/entry: the device cookie on a first visit, and what the server says about it. */
  async entry(): Promise<{ device: string; adult: boolean; banned: unknown; challenge: unknown }> {
    return (await this.fetch('/api/entry')).json();
  }

  /** A socket with this jar's cookies and address, past `hello` and the first `stats`. */
  hello(ws: string) {
    return TestClient.hello(ws, this.headers());
  }
}
