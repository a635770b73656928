/**
 * Safety against real server processes, Redis and PostgreSQL: the device identity holds bans and
 * blocks across reloads, restarts and a Redis that lost them; an address can be banned; skips are
 * limited exactly across two instances; a script's sockets from one address are capped; the bot
 * check is demanded past the rate and a solved challenge works once; a report reaches PostgreSQL
 * even when the reporter leaves at once; reported devices meet only each other in the shadow pool.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { solveChallenge } from 'altcha-lib';
import { deriveKey } from 'altcha-lib/algorithms/sha';
import Redis from 'ioredis';
import postgres from 'postgres';
import { Jar } from './support/browser-jar.ts';
import type { TestClient } from './support/client.ts';
import { freshStores, REDIS_URL, type RunningServer, type Stores, startServer } from './support/server.ts';

const ADMIN_TOKEN = 'safety-test-admin-token-0123';
const FALLBACK_MS = 300;

let stores: Stores;
beforeAll(async () => {
  stores = await freshStores('real');
});
afterAll(() => stores.drop());

/** Behind one trusted proxy, so each jar's X-Forwarded-For is its address. */
const base = (extra: Record<string, string> = {}) => ({
  ...stores.env,
  ADMIN_TOKEN,
  TRUSTED_PROXY_DEPTH: '1',
  INTEREST_FALLBACK_MS: String(FALLBACK_MS),
  REMATCH_COOLDOWN_MS: '0',
  ...extra,
});

const sql = () => postgres(stores.env.DATABASE_URL as string, { max: 1, onnotice: () => {} });

async function admin(server: RunningServer, path: string, init: RequestInit = {}): Promise<Response> {
  return fetch(`${server.url}${path}`, {
    ...init,
    headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json', ...init.headers },
  });
}

async function pair(a: TestClient, b: TestClient): Promise<string> {
  a.send({ type: 'enqueue', mode: 'text' });
  await a.until('waiting');
  b.send({ type: 'enqueue', mode: 'text' });
  const sid = (await a.until('matched')).sessionId;
  expect((await b.until('matched')).sessionId).toBe(sid);
  return sid;
}

/** Both enqueue with nobody else waiting; they must not meet for the fallback time and more. */
async function keptApart(a: TestClient, b: TestClient): Promise<void> {
  a.send({ type: 'enqueue', mode: 'text' });
  b.send({ type: 'enqueue', mode: 'text' });
  await a.until('waiting');
  await b.until('waiting');
  await Bun.sleep(FALLBACK_MS * 3);
  expect(a.frames.some((f) => f.type === 'matched')).toBe(false);
}

async function until(check: () => Promise<boolean>, what: string, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out: ${what}`);
    await Bun.sleep(100);
  }
}

describe('one server', () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await startServer(base({ INSTANCE_ID: 'safe-1' }));
  });
  afterAll(() => server.stop());

  test('a reported pair never meets again: across reloads, a restart and a Redis that lost its blocks', async () => {
    const a = new Jar(server.url, '198.51.100.1');
    const b = new Jar(server.url, '198.51.100.2');
    await a.entry();
    await b.entry();
    let ca = await a.hello(server.ws);
    let cb = await b.hello(server.ws);
    const sid = await pair(ca, cb);
    ca.send({ type: 'report', sessionId: sid, reason: 'harassment: said awful things' });
    await ca.until('ended');
    ca.close();
    cb.close();
    // A reload: new connections, new user ids, the same devices.
    ca = await a.hello(server.ws);
    cb = await b.hello(server.ws);
    await keptApart(ca, cb);
    ca.close();
    cb.close();
    // The report is in PostgreSQL for good, as a device block.
    const db = sql();
    try {
      await until(async () => (await db`SELECT 1 FROM device_blocks`).length > 0, 'the block in PostgreSQL');
    } finally {
      await db.end();
    }
    // Redis loses everything this run kept (the blocks and the marks that they were loaded).
    const redis = new Redis(REDIS_URL);
    const keys = await redis.keys(`{${stores.env.REDIS_PREFIX}}:blk*`);
    if (keys.length > 0) await redis.del(...keys);
    redis.disconnect();
    await server.stop();
    server = await startServer(base({ INSTANCE_ID: 'safe-1' }));
    ca = await a.hello(server.ws);
    cb = await b.hello(server.ws);
    await keptApart(ca, cb);
    ca.close();
    cb.close();
  }, 30_000);

  test('a report reaches PostgreSQL with its category even when the reporter leaves at once', async () => {
    const a = new Jar(server.url, '198.51.100.3');
    const b = new Jar(server.url, '198.51.100.4');
    const ca = await a.hello(server.ws);
    const cb = await b.hello(server.ws);
    const sid = await pair(ca, cb);
    ca.send({ type: 'report', sessionId: sid, reason: 'nudity: right away' });
    ca.close(); // the tab closes with the frame
    const db = sql();
    try {
      await until(async () => (await db`SELECT 1 FROM reports WHERE session_id = ${sid}`).length > 0, 'the report row');
      const [row] = await db`SELECT category, reason, reporter_device, reported_device, reported_ip_hash
        FROM reports WHERE session_id = ${sid}`;
      expect(row).toMatchObject({ category: 'nudity', reason: 'right away' });
      expect(row?.reporter_device).toStartWith('d_');
      expect(row?.reported_device).toStartWith('d_');
      expect(row?.reported_ip_hash).toStartWith('a_');
    } finally {
      await db.end();
      cb.close();
    }
  });

  test('a banned device is told at once, refused at enqueue, and still banned after a reload', async () => {
    const jar = new Jar(server.url, '198.51.100.5');
    const { device } = await jar.entry();
    const res = await admin(server, '/admin/api/bans', {
      method: 'POST',
      body: JSON.stringify({ device, minutes: 60, reason: 'testing bans' }),
    });
    expect(res.status).toBe(201);
    for (let reload = 0; reload < 2; reload++) {
      const entry = (await jar.entry()) as { banned: { until: number; reason: string } | null };
      expect(entry.banned?.reason).toBe('testing bans');
      expect(entry.banned?.until).toBeGreaterThan(Date.now() + 59 * 60_000);
      const c = await jar.hello(server.ws);
      const told = await c.until('error');
      expect(told).toMatchObject({ code: 'banned' });
      expect(told.message).toContain('until 20');
      expect(told.retryAfterMs).toBeGreaterThan(59 * 60_000);
      c.send({ type: 'enqueue', mode: 'text' });
      expect(await c.until('error')).toMatchObject({ code: 'banned' });
      c.close();
    }
    // Lifted: in again.
    const [ban] = (await (await admin(server, '/admin/api/bans')).json()) as { id: number; device: string }[];
    expect(ban?.device).toBe(device);
    expect((await admin(server, `/admin/api/bans/${ban?.id}`, { method: 'DELETE' })).status).toBe(200);
    const c = await jar.hello(server.ws);
    c.send({ type: 'enqueue', mode: 'text' });
    expect((await c.until('waiting')).type).toBe('waiting');
    c.close();
  });

  test('a banned address refuses a new device from it; other addresses are untouched', async () => {
    const reporter = new Jar(server.url, '198.51.100.6');
    const target = new Jar(server.url, '203.0.113.9');
    const cr = await reporter.hello(server.ws);
    const ct = await target.hello(server.ws);
    const sid = await pair(cr, ct);
    cr.send({ type: 'report', sessionId: sid, reason: 'spam' });
    await cr.until('ended');
    // The moderator bans the address hash the report names (the address itself is never stored).
    let ipHash = '';
    await until(async () => {
      const reports = (await (await admin(server, '/admin/api/reports')).json()) as {
        sessionId: string;
        reportedIpHash: string;
      }[];
      ipHash = reports.find((r) => r.sessionId === sid)?.reportedIpHash ?? '';
      return ipHash !== '';
    }, 'the report on /admin');
    const res = await admin(server, '/admin/api/bans', {
      method: 'POST',
      body: JSON.stringify({ ipHash, minutes: null }),
    });
    expect(res.status).toBe(201);
    const fresh = new Jar(server.url, '203.0.113.9'); // a new device, same address
    const entry = (await fresh.entry()) as { banned: { until: null } | null };
    expect(entry.banned).toMatchObject({ until: null });
    const c = await fresh.hello(server.ws);
    expect(await c.until('error')).toMatchObject({ code: 'banned', message: expect.stringContaining('for good') });
    const other = await new Jar(server.url, '203.0.113.10').hello(server.ws);
    other.send({ type: 'enqueue', mode: 'text' });
    expect((await other.until('waiting')).type).toBe('waiting');
    for (const x of [cr, ct, c, other]) x.close();
  });
});

describe('two servers, one address', () => {
  let one: RunningServer;
  let two: RunningServer;
  beforeAll(async () => {
    const env = base({
      SKIP_BURST: '4',
      SKIP_RATE_PER_MINUTE: '1',
      CONNECTIONS_PER_ADDRESS: '20',
      REDIS_PREFIX: `${stores.env.REDIS_PREFIX}-two`,
    });
    [one, two] = await Promise.all([
      startServer({ ...env, INSTANCE_ID: 'safe-a' }),
      startServer({ ...env, INSTANCE_ID: 'safe-b' }),
    ]);
  });
  afterAll(async () => {
    await Promise.all([one.stop(), two.stop()]);
  });

  test('the skip limit holds exactly across instances: a device skipping on both is limited after its burst', async () => {
    const skipper = new Jar(one.url, '192.0.2.1');
    await skipper.entry();
    const tabs = [await skipper.hello(one.ws), await skipper.hello(two.ws)];
    const partners: TestClient[] = [];
    let skips = 0;
    let limited: { retryAfterMs?: number } | null = null;
    for (let round = 0; round < 8 && !limited; round++) {
      const tab = tabs[round % 2] as TestClient;
      const server = round % 2 === 0 ? one : two;
      const partner = await new Jar(server.url, `192.0.2.${100 + round}`).hello(server.ws);
      partners.push(partner);
      const sid = await pair(tab, partner);
      // The partner's tab closes first (held for its resume grace), so it is not re-queued to meet the skipper again.
      partner.close();
      tab.send({ type: 'skip', sessionId: sid });
      await tab.until('ended');
      skips++;
      // Re-queued after its skip (`waiting` first, as always), then the claim's answer: a match
      // would have come, nobody else waits, so within a second it is either silence or the cool-down.
      expect((await tab.next()).type).toBe('waiting');
      const error = await tab.until('error', 1000).catch(() => null);
      if (error) {
        expect(error).toMatchObject({ code: 'rate_limited' });
        expect(await tab.next()).toMatchObject({ type: 'idle' });
        limited = error;
      } else {
        tab.send({ type: 'cancel' });
        await tab.until('idle');
      }
    }
    // SKIP_BURST skips pass; the next one still ends its session but cools the device down.
    expect(skips).toBe(5);
    expect(limited?.retryAfterMs).toBeGreaterThan(50_000);
    // The other tab, on the other instance, is cooling down too.
    const other = tabs[skips % 2] as TestClient;
    other.send({ type: 'enqueue', mode: 'text' });
    expect(await other.until('error')).toMatchObject({ code: 'rate_limited' });
    for (const c of [...tabs, ...partners]) c.close();
  }, 30_000);

  test('a script opening 500 sockets from one address gets 20, across both instances', async () => {
    const headers = { 'x-forwarded-for': '192.0.2.200' };
    const attempts = Array.from({ length: 500 }, (_, i) => {
      const ws = new WebSocket((i % 2 === 0 ? one : two).ws, { headers } as unknown as string[]);
      return new Promise<WebSocket | null>((resolve) => {
        ws.addEventListener('open', () => resolve(ws), { once: true });
        ws.addEventListener('error', () => resolve(null), { once: true });
      });
    });
    const sockets = await Promise.all(attempts);
    const open = sockets.filter((s): s is WebSocket => s !== null);
    expect(open.length).toBe(20);
    // The refusal says why, for a client that reads it.
    const refused = await fetch(one.ws.replace('ws://', 'http://'), {
      headers: {
        ...headers,
        upgrade: 'websocket',
        connection: 'Upgrade',
        'sec-websocket-version': '13',
        'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==',
      },
    });
    expect(refused.status).toBe(429);
    expect(await refused.json()).toMatchObject({ error: 'full' });
    for (const s of open) s.close();
    // Closed sockets no longer count.
    await until(async () => {
      const again = await new Jar(one.url, '192.0.2.200').hello(one.ws).catch(() => null);
      again?.close();
      return again !== null;
    }, 'a socket after the others closed');
  }, 30_000);
});

test('the bot check: demanded past the connect rate, a solved challenge lets the device in, and works once', async () => {
  const server = await startServer(
    base({
      CONNECTS_PER_MINUTE_BEFORE_CHALLENGE: '2',
      CHALLENGE_COST: '300',
      REDIS_PREFIX: `${stores.env.REDIS_PREFIX}-pow`,
    }),
  );
  try {
    const jar = new Jar(server.url, '192.0.2.50');
    expect((await jar.entry()).challenge).toBeNull();
    (await jar.hello(server.ws)).close();
    (await jar.hello(server.ws)).close();
    await expect(jar.hello(server.ws)).rejects.toThrow();
    const { challenge } = (await jar.entry()) as {
      challenge: Parameters<typeof solveChallenge>[0]['challenge'] | null;
    };
    expect(challenge).not.toBeNull();
    if (!challenge) return;
    const solution = await solveChallenge({ challenge, deriveKey });
    const payload = Buffer.from(JSON.stringify({ challenge, solution })).toString('base64');
    const solved = await jar.fetch('/api/entry/challenge', { method: 'POST', body: JSON.stringify({ payload }) });
    expect(solved.status).toBe(204);
    const c = await jar.hello(server.ws); // in, with the pass
    c.close();
    expect((await jar.entry()).challenge).toBeNull();
    const replay = await jar.fetch('/api/entry/challenge', { method: 'POST', body: JSON.stringify({ payload }) });
    expect(replay.status).toBe(400);
    expect(await replay.json()).toEqual({ error: 'replayed' });
    // Another device on that address, with no pass, still faces the check.
    const other = new Jar(server.url, '192.0.2.50');
    expect((await other.entry()).challenge).not.toBeNull();
    await expect(other.hello(server.ws)).rejects.toThrow();
  } finally {
    await server.stop();
  }
}, 30_000);

test('shadow pool: a device reported enough meets only others reported enough', async () => {
  const server = await startServer(
    base({ SHADOW_POOL_REPORTERS: '1', REDIS_PREFIX: `${stores.env.REDIS_PREFIX}-shadow`, INTEREST_FALLBACK_MS: '0' }),
  );
  try {
    const reportAbout = async (address: string) => {
      const reporter = await new Jar(server.url, `${address}.1`).hello(server.ws);
      const target = new Jar(server.url, `${address}.2`);
      await target.entry(); // the device cookie, kept for its next visit
      const c = await target.hello(server.ws);
      const sid = await pair(reporter, c);
      reporter.send({ type: 'report', sessionId: sid, reason: 'spam' });
      await reporter.until('ended');
      reporter.close();
      c.close();
      return target;
    };
    const s1 = await reportAbout('10.1.1');
    const s2 = await reportAbout('10.1.2');
    // The reports reach PostgreSQL and the ban cache refreshes (the shadow set with it).
    const db = sql();
    try {
      await until(async () => (await db`SELECT 1 FROM reports`).length >= 2, 'the reports', 10_000);
    } finally {
      await db.end();
    }
    await Bun.sleep(500);
    const shadowed = await s1.hello(server.ws);
    const plain = await new Jar(server.url, '10.1.3.1').hello(server.ws);
    shadowed.send({ type: 'enqueue', mode: 'text' });
    await shadowed.until('waiting');
    plain.send({ type: 'enqueue', mode: 'text' });
    await plain.until('waiting');
    await Bun.sleep(600);
    expect(shadowed.frames.some((f) => f.type === 'matched')).toBe(false);
    const other = await s2.hello(server.ws);
    other.send({ type: 'enqueue', mode: 'text' });
    expect((await other.until('matched')).sessionId).toBe((await shadowed.until('matched')).sessionId);
    for (const c of [shadowed, plain, other]) c.close();
  } finally {
    await server.stop();
  }
}, 30_000);
