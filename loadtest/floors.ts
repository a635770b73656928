/**
 * What the stores cost per pair, apart from the server, against the least any design with a shared
 * queue and a durable session log could cost them (`bun run bench:floors [--seconds 10]`).
 *
 * Redis (a private `redis-server`, its CPU read from /proc):
 *   ours      the churn's own script traffic without the server: each pair formed by a claim, then
 *             the claimer's skip (a claim that closes the session and queues again) and the
 *             partner's re-queue, 2 script calls per pair; the journal read, acknowledged and
 *             deleted as the recorders do.
 *   minimal   the same traffic through a script that does only the writes the guarantees leave no
 *             way around: the session closed and its end journaled, the caller paired with the
 *             oldest waiting user (a session hash, the start journaled) or queued. No interests, no
 *             blocks, no cooldowns, no limits, no instance bookkeeping: a floor, not a matcher.
 *   empty     EVALSHA of `return 1`: the fixed cost of one script call (×2 per pair).
 * PostgreSQL (a fresh database, the backend's CPU from /proc): the session log's own writer
 *   (`PostgresSessionLog`, one `unnest` upsert per batch of 2,000) writing each session's start
 *   and end, as the pump hands them over.
 *
 * Prints CPU ms per 1,000 pairs for each, and the ceiling the claim script alone reaches on this
 * box in the same run, so a figure can be set against the others measured here.
 */
import Redis from 'ioredis';
import { connect } from '../server/src/adapters/postgres/db.ts';
import { migrate } from '../server/src/adapters/postgres/migrate.ts';
import { PostgresSessionLog } from '../server/src/adapters/postgres/session-log.ts';
import { RedisJournal } from '../server/src/adapters/redis/journal.ts';
import { defineScripts } from '../server/src/adapters/redis/scripts.ts';
import { SCAN_LIMIT } from '../server/src/matching/compat.ts';
import type { JournalRecord } from '../server/src/ports.ts';
import { claimCeiling } from './ceilings/claim.ts';
import { cpuMs } from './run/proc.ts';
import { openStores } from './run/stores.ts';

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const SECONDS = arg('seconds', 10);
const USERS = arg('users', 1000);

const MINIMAL = `
local P, uid, now, sid, leaving = ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5]
if leaving ~= '' then
  redis.call('HSET', P .. 's:' .. leaving, 'st', 'closed', 'end', now)
  redis.call('XADD', P .. 'journal', '*', 'e', leaving)
end
local other = redis.call('ZPOPMIN', KEYS[1])
if other[1] then
  redis.call('HSET', P .. 's:' .. sid, 'a', other[1], 'b', uid, 'st', 'open', 'at', now)
  redis.call('XADD', P .. 'journal', '*', 's', sid)
  return { 'matched', sid, other[1] }
end
redis.call('ZADD', KEYS[1], now, uid)
return { 'queued' }`;

/** Redis's own counters: per command, calls and µs per pair (commands run inside scripts included). */
function commandStats(info: string, pairs: number) {
  const out: { name: string; callsPerPair: number; usPerPair: number }[] = [];
  for (const m of info.matchAll(/cmdstat_(\w+):calls=(\d+),usec=(\d+)/g)) {
    out.push({ name: String(m[1]), callsPerPair: Number(m[2]) / pairs, usPerPair: Number(m[3]) / pairs });
  }
  return out.sort((a, b) => b.usPerPair - a.usPerPair);
}
let commands: ReturnType<typeof commandStats> = [];

type Claim = (uid: string, leaving: string) => Promise<{ sid: string; partner: string } | null>;

/**
 * Runs the churn's call pattern through `claim` for SECONDS: every user starts waiting; a claim
 * that pairs is followed at once by the claimer's closing claim and the partner's re-queue.
 * Measures Redis CPU over the window; a recorder drains the journal meanwhile.
 */
async function churn(redis: Redis, redisPid: number, prefix: string, claim: Claim) {
  const journal = new RedisJournal({ redis, prefix, consumer: 'floors' });
  await journal.ensureGroup();
  let pairs = 0;
  let running = true;
  const go = (uid: string, leaving: string): void => {
    if (!running) return;
    claim(uid, leaving).then((m) => {
      if (!m) return;
      pairs++;
      go(uid, m.sid);
      go(m.partner, '');
    }, fail);
  };
  const recorder = (async () => {
    while (running) {
      const batch = await journal.read(2000);
      if (batch.length > 0) await journal.ack(batch.map((r) => r.id));
      else await Bun.sleep(5);
    }
  })();
  for (let i = 0; i < USERS; i++) go(`u${i}`, '');
  await Bun.sleep(1000); // past the start, when everyone queued at once
  const [p0, c0] = [pairs, cpuMs(redisPid) ?? 0];
  await Bun.sleep(SECONDS * 1000);
  const [p1, c1] = [pairs, cpuMs(redisPid) ?? 0];
  running = false;
  await recorder;
  await Bun.sleep(200); // the calls in flight come back
  return { pairs: p1 - p0, pairsPerSecond: (p1 - p0) / SECONDS, msPer1k: ((c1 - c0) / (p1 - p0)) * 1000 };
}

function fail(error: unknown): never {
  console.error(error);
  process.exit(1);
}

const stores = await openStores(undefined);
if (!stores.redisPid || !stores.privateRedis)
  fail('floors needs redis-server on PATH (a private Redis, its CPU alone)');
const redisPid = stores.redisPid as number;
const redis = new Redis(stores.redisUrl);
const scripts = defineScripts(redis);
const rows: { part: string; what: string; value: string }[] = [];
const ms = (v: number) => `${v.toFixed(1)} ms`;

// Ours: the real claim script, device per user, no interests, a re-queue each time.
{
  const P = `{floors-ours}:`;
  let n = 0;
  const claim: Claim = async (uid, leaving) => {
    const now = Date.now();
    const row = (await scripts.claim(
      [`${P}q:text`, `${P}u:${uid}`],
      [P, uid, `c-${uid}`, 'floors', 'text', now, now, '', `s${n++}`, 5000, 60000, SCAN_LIMIT].concat([
        `d-${uid}`,
        'a_floors',
        'again',
        1,
        1e9,
        'text',
        leaving,
        leaving ? 'skip' : '',
        1,
        1e9,
      ]),
    )) as string[];
    return row[0] === 'matched' ? { sid: String(row[1]), partner: String(row[2]) } : null;
  };
  await redis.config('RESETSTAT');
  const r = await churn(redis, redisPid, P, claim);
  commands = commandStats(await redis.info('commandstats'), r.pairs);
  const queued = await redis.zcard(`${P}q:text`);
  rows.push({
    part: 'Redis, ours',
    what: `${r.pairsPerSecond.toFixed(0)} pairs/s, ${queued} waiting at the end`,
    value: ms(r.msPer1k),
  });
}

// Minimal: the irreducible writes only.
{
  const P = `{floors-min}:`;
  redis.defineCommand('floorsMinimal', { numberOfKeys: 1, lua: MINIMAL });
  const call = (redis as unknown as Record<string, (...a: (string | number)[]) => Promise<string[]>>).floorsMinimal;
  let n = 0;
  const claim: Claim = async (uid, leaving) => {
    const row = (await call?.call(redis, `${P}q:text`, P, uid, Date.now(), `s${n++}`, leaving)) ?? [];
    return row[0] === 'matched' ? { sid: String(row[1]), partner: String(row[2]) } : null;
  };
  const r = await churn(redis, redisPid, P, claim);
  rows.push({ part: 'Redis, minimal', what: `${r.pairsPerSecond.toFixed(0)} pairs/s`, value: ms(r.msPer1k) });
}

// Empty: the fixed cost of a script call, two per pair.
{
  redis.defineCommand('floorsEmpty', { numberOfKeys: 1, lua: 'return 1' });
  const call = (redis as unknown as Record<string, (...a: string[]) => Promise<number>>).floorsEmpty;
  let calls = 0;
  const deadline = performance.now() + SECONDS * 1000;
  const c0 = cpuMs(redisPid) ?? 0;
  await Promise.all(
    Array.from({ length: 64 }, async () => {
      while (performance.now() < deadline) {
        await call?.call(redis, '{floors}:k', 'a', 'b');
        calls++;
      }
    }),
  );
  const per1kPairs = (((cpuMs(redisPid) ?? 0) - c0) / calls) * 2000;
  rows.push({
    part: 'Redis, empty calls',
    what: `${(calls / SECONDS).toFixed(0)} calls/s, ×2 per pair`,
    value: ms(per1kPairs),
  });
}

// PostgreSQL: the session log's writer, a start and an end per session.
{
  const sql = connect(stores.databaseUrl, { max: 1 });
  await migrate(sql);
  const [{ pid }] = (await sql`SELECT pg_backend_pid() AS pid`) as unknown as [{ pid: number }];
  const log = new PostgresSessionLog(sql);
  const SESSIONS = 50_000;
  const c0 = cpuMs(pid) ?? 0;
  const t0 = performance.now();
  for (let from = 0; from < SESSIONS; from += 1000) {
    const batch: JournalRecord[] = [];
    for (let i = from; i < from + 1000; i++) {
      const session = {
        sessionId: `s${i}`,
        userA: `a${i}`,
        userB: `b${i}`,
        mode: 'text' as const,
        startedAt: 1e12 + i,
      };
      batch.push({ id: `${i}-0`, entry: { kind: 'started', session } });
      batch.push({
        id: `${i}-1`,
        entry: { kind: 'ended', session: { ...session, endedAt: 1e12 + i + 500, endedBy: `a${i}`, reason: 'skip' } },
      });
    }
    await log.write(batch);
  }
  const elapsed = (performance.now() - t0) / 1000;
  const backend = ((cpuMs(pid) ?? 0) - c0) / (SESSIONS / 1000);
  rows.push({
    part: 'PostgreSQL, the session log',
    what: `${(SESSIONS / elapsed).toFixed(0)} sessions/s, batches of 2,000 entries`,
    value: ms(backend),
  });
  await sql.end();
}

const ceiling = await claimCeiling(stores.redisUrl, Math.min(5, SECONDS));
redis.disconnect();
await stores.close();

const width = Math.max(...rows.map((r) => r.part.length));
console.log(
  `\nCPU per 1,000 pairs (${SECONDS} s each, ${USERS} users); claim script alone: ${ceiling.callsPerSecond.toFixed(0)} EVALSHA/s`,
);
for (const r of rows) console.log(`  ${r.part.padEnd(width)}  ${r.value.padStart(9)}   ${r.what}`);
// EVALSHA's time includes the commands its scripts run; the rest of it is the Lua around them.
console.log("\nRedis, ours, by command (Redis INFO commandstats; a script's commands are counted inside EVALSHA too):");
for (const c of commands.slice(0, 14)) {
  console.log(
    `  ${c.name.padEnd(16)} ${c.callsPerPair.toFixed(2).padStart(6)} calls/pair ${c.usPerPair.toFixed(1).padStart(7)} µs/pair`,
  );
}
const evalsha = commands.find((c) => c.name === 'evalsha')?.usPerPair ?? 0;
const inner = commands.filter(
  (c) => !['evalsha', 'xreadgroup', 'xack', 'xdel', 'multi', 'exec', 'config', 'info'].includes(c.name),
);
const innerUs = inner.reduce((n, c) => n + c.usPerPair, 0);
const innerCalls = inner.reduce((n, c) => n + c.callsPerPair, 0);
console.log(
  `  inside the scripts: ${innerCalls.toFixed(1)} commands per pair, ${innerUs.toFixed(1)} µs of ${evalsha.toFixed(1)} µs the scripts took; the Lua around them ${(evalsha - innerUs).toFixed(1)} µs`,
);
