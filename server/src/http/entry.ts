/**
 * `/api/entry`: what the browser asks before it opens `/ws`. It issues the device cookie (the
 * durable anonymous identity) on the first visit, and says whether this device confirmed it is 18+,
 * whether it or its address is banned (until when), whether the bot check is needed (with a
 * challenge), and what the client's safe mode counts as unsafe. A refused WebSocket upgrade is only
 * a failed connection to a browser: this is where it learns why.
 */
import type { Context, Hono } from 'hono';
import { ADULT, cookieValue } from '../identity/device.ts';
import { PASS_COOKIE, type Passes } from '../identity/pass.ts';
import type { Identities, RequestWho } from '../identity/who.ts';
import type { Admission, Moderation } from '../ports.ts';
import type { BotCheck } from '../safety/challenge.ts';

export interface EntryDeps {
  identities: Identities;
  passes: Passes;
  admission: Pick<Admission, 'needsChallenge'>;
  botCheck: BotCheck;
  moderation: Pick<Moderation, 'banOf'>;
  safeMode: { unsafe: string[]; threshold: number };
}

/** The socket's address, handed to Hono by serve.ts as its env. */
const peerOf = (c: Context) => (c.env as { peer?: string } | undefined)?.peer ?? '';

export function mountEntry(app: Hono, d: EntryDeps): void {
  const who = (c: Context): RequestWho => d.identities.of(c.req.raw.headers, peerOf(c));
  const withCookie = (res: Response, setCookie: string | null) => {
    if (setCookie) res.headers.append('Set-Cookie', setCookie);
    res.headers.set('Cache-Control', 'no-store');
    return res;
  };

  app.get('/api/entry', async (c) => {
    const w = who(c);
    const passed = d.passes.valid(cookieValue(c.req.header('cookie') ?? null, PASS_COOKIE), w.device.id);
    const challenge =
      !passed && (await d.admission.needsChallenge(w.ipHash)) ? await d.botCheck.issue(w.device.id) : null;
    const body = {
      device: w.device.id,
      adult: (w.device.flags & ADULT) !== 0,
      banned: d.moderation.banOf({ device: w.device.id, ipHash: w.ipHash }),
      challenge,
      safeMode: d.safeMode,
    };
    return withCookie(Response.json(body), w.setCookie);
  });

  app.post('/api/entry/adult', (c) =>
    withCookie(new Response(null, { status: 204 }), d.identities.adultCookie(who(c).device)),
  );

  app.post('/api/entry/challenge', async (c) => {
    const w = who(c);
    const body = (await c.req.json().catch(() => null)) as { payload?: unknown } | null;
    const result = await d.botCheck.redeem(body?.payload, w.device.id);
    if (!result.ok) return withCookie(Response.json({ error: result.error }, { status: 400 }), w.setCookie);
    const res = withCookie(new Response(null, { status: 204 }), w.setCookie);
    res.headers.append('Set-Cookie', d.passes.header(w.device.id));
    return res;
  });
}
