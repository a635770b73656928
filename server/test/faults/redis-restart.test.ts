/**
 * Fault: Redis restarts empty (a failover to a blank replica, a crash without persistence). The
 * queue, the sessions and the copy of the blocks are gone. Nobody may sit in a session that no
 * longer exists, two users who reported each other must still never meet (the blocks come back
 * from PostgreSQL, where reports are kept for good), and pairing goes on.
 */
import { afterAll, beforeAll, expect, test } from 'bun:test';
import postgres from 'postgres';
import { type HelloClient as Client, opener, pairText } from '../support/client.ts';
import { recordFigure, secs, Verdict } from './support/figures.ts';
import { faultLab } from './support/lab.ts';
import { until } from './support/probes.ts';
import { type PrivateRedis, startRedis } from './support/redis-process.ts';

const FALLBACK_MS = 500;
const GRACE_MS = 1000;
const PROMISE =
  'after Redis restarts empty: both users of a session that spanned the restart are told (peerLeft disconnect, then waiting) within ~5 s (2 beats); two users who reported each other are not matched for INTEREST_FALLBACK_MS + 2 s with only them waiting; two fresh users pair';

let redis: PrivateRedis;
const lab = faultLab();
const { fleet } = lab;

beforeAll(async () => {
  redis = await startRedis();
});
afterAll(async () => {
  await redis.stop();
});

/** How `c` heard that `sid` is over: the time of its peerLeft and the frame after it, or null. */
async function toldOver(c: Client, sid: string, ms: number) {
  try {
    const left = await c.until('peerLeft', ms);
    const at = Date.now();
    const after = await c.next(undefined, 2000).catch(() => null);
    return left.sessionId === sid ? { at, reason: left.reason, next: after?.type ?? null } : null;
  } catch {
    return null;
  }
}

/** The session `c` was matched into within `ms`, or null. */
const matchedWithin = (c: Client, ms: number) =>
  c.until('matched', ms).then(
    (m) => m.sessionId,
    () => null,
  );

test('Redis restarts empty: sessions are closed for both sides, blocks hold, pairing goes on', async () => {
  const shared: Record<string, string> = {
    ...lab.stores.isolated(),
    REDIS_URL: redis.url,
    INTEREST_FALLBACK_MS: String(FALLBACK_MS),
    REMATCH_COOLDOWN_MS: '0',
    RESUME_GRACE_MS: String(GRACE_MS),
  };
  const [a, b] = await fleet.start(shared, { INSTANCE_ID: 'redis-a' }, { INSTANCE_ID: 'redis-b' });
  if (!a || !b) throw new Error('two instances expected');
  const { clients, open } = opener();
  try {
    // r1 reports r2, and both go idle so nothing below can pair them before the restart.
    const r1 = await open(a.ws);
    const r2 = await open(b.ws);
    const rsid = await pairText(r1, r2);
    r1.send({ type: 'report', sessionId: rsid, reason: 'spam' });
    await r1.until('waiting');
    await r2.until('waiting');
    r1.send({ type: 'cancel' });
    r2.send({ type: 'cancel' });
    await r1.until('idle');
    await r2.until('idle');
    // The report must be in PostgreSQL before Redis goes: that is where it is kept for good.
    const db = postgres(String(shared.DATABASE_URL), { max: 1, onnotice: () => {} });
    const blocked = await until(async () => (await db`SELECT 1 FROM device_blocks`).length > 0, 5000);
    await db.end();
    expect(blocked).not.toBeNull();

    const u1 = await open(a.ws);
    const u2 = await open(b.ws);
    const sid = await pairText(u1, u2);
    const backAt = await redis.restart();
    const [t1, t2] = await Promise.all([toldOver(u1, sid, 10_000), toldOver(u2, sid, 10_000)]);
    const toldMs = t1 && t2 ? Math.max(t1.at, t2.at) - backAt : null;
    // Out of the way, so r1 and r2 are the only ones waiting. Re-queued, u1 and u2 may have paired
    // again at once, so a cancel could come too late: their sockets go, and the grace with them.
    u1.close();
    u2.close();
    await Bun.sleep(GRACE_MS + 500);

    r1.send({ type: 'enqueue', mode: 'text' });
    r2.send({ type: 'enqueue', mode: 'text' });
    const queued = await Promise.all([r1.next('waiting'), r2.next('waiting')]).then(
      () => true,
      () => false,
    );
    const [s1, s2] = await Promise.all([matchedWithin(r1, FALLBACK_MS + 2000), matchedWithin(r2, FALLBACK_MS + 2000)]);
    const met = s1 !== null && s1 === s2;
    r1.send({ type: 'cancel' });
    r2.send({ type: 'cancel' });
    await Bun.sleep(200);

    const f1 = await open(a.ws);
    const f2 = await open(b.ws);
    f1.send({ type: 'enqueue', mode: 'text' });
    f2.send({ type: 'enqueue', mode: 'text' });
    const [m1, m2] = await Promise.all([
      f1.until('matched', 5000).catch(() => null),
      f2.until('matched', 5000).catch(() => null),
    ]);

    const v = new Verdict();
    for (const [name, t] of [
      ['u1', t1],
      ['u2', t2],
    ] as const) {
      v.check(`${name} told peerLeft disconnect`, t?.reason === 'disconnect', t ? t.reason : 'nothing');
      v.check(`${name}: waiting follows peerLeft`, t?.next === 'waiting', t?.next ?? 'nothing');
    }
    v.check('both told within 5 s of Redis being back', toldMs !== null && toldMs <= 5000, secs(toldMs));
    v.check('r1 and r2 queued again after the restart', queued);
    v.check('nobody else was there for r1 or r2', met || (s1 === null && s2 === null), `${s1} / ${s2}`);
    v.check(`r1 and r2 not matched for ${FALLBACK_MS + 2000} ms`, !met, 'them matched');
    v.check('two fresh users pair', m1 !== null && m1.sessionId === m2?.sessionId);
    recordFigure(
      'Redis restart',
      PROMISE,
      `both users of the spanning session told ${secs(toldMs)} after Redis was back; reported pair ${met ? 'MET AGAIN' : 'kept apart'}; fresh users ${m1 && m1.sessionId === m2?.sessionId ? 'paired' : 'did not pair'}`,
      {
        toldAfterRedisBackMs: toldMs,
        reportedPairMet: met,
        freshUsersPaired: m1 !== null && m1.sessionId === m2?.sessionId,
      },
      v,
    );
    expect(v.broken).toEqual([]);
  } finally {
    for (const c of clients) c.close();
  }
}, 60_000);
