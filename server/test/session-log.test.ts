/**
 * The session log writer against a real PostgreSQL (a fresh database): a session started and
 * ended in one batch is one row; writes are idempotent; a refused entry is isolated; users are
 * upserted, with last_seen_at kept to the minute instead of rewritten on every batch.
 */
import { afterAll, beforeAll, expect, test } from 'bun:test';
import postgres from 'postgres';
import { connect, type Db } from '../src/adapters/postgres/db.ts';
import { migrate } from '../src/adapters/postgres/migrate.ts';
import { forget } from '../src/adapters/postgres/retention.ts';
import { PostgresSessionLog } from '../src/adapters/postgres/session-log.ts';
import type { JournalRecord } from '../src/ports.ts';
import { PG_URL } from './support/server.ts';

const name = `rec${crypto.randomUUID().replaceAll('-', '').slice(0, 12)}`;
let sql: Db;

beforeAll(async () => {
  const admin = postgres(PG_URL, { max: 1, onnotice: () => {} });
  await admin.unsafe(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(PG_URL);
  url.pathname = `/${name}`;
  sql = connect(url.toString(), { max: 2 });
  await migrate(sql);
});

afterAll(async () => {
  await sql.end();
  const admin = postgres(PG_URL, { max: 1, onnotice: () => {} });
  await admin.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await admin.end();
});

const session = (id: string, a: string, b: string, startedAt: number) => ({
  sessionId: id,
  userA: a,
  userB: b,
  mode: 'text' as const,
  startedAt,
});
let n = 0;
const started = (s: ReturnType<typeof session>): JournalRecord => ({
  id: `j${++n}`,
  entry: { kind: 'started', session: s },
});
const ended = (s: ReturnType<typeof session>, by: string, at: number): JournalRecord => ({
  id: `j${++n}`,
  entry: { kind: 'ended', session: { ...s, endedAt: at, endedBy: by, reason: 'skip' } },
});
const reported = (sessionId: string, reporter: string, reported: string, reason: string): JournalRecord => ({
  id: `j${++n}`,
  entry: {
    kind: 'reported',
    report: {
      sessionId,
      reporter,
      reported,
      reporterDevice: `d-${reporter}`,
      reportedDevice: `d-${reported}`,
      reason,
      at: Date.now(),
    },
  },
});

test('a session started and ended in one batch is one ended row; its users exist', async () => {
  const log = new PostgresSessionLog(sql);
  const t = Date.now();
  const s1 = session('s1', 'ua', 'ub', t);
  expect(await log.write([started(s1), ended(s1, 'ua', t + 500)])).toEqual([]);
  const rows = await sql`SELECT session_id, end_reason, ended_by FROM sessions WHERE session_id = 's1'`;
  expect([...rows]).toEqual([{ session_id: 's1', end_reason: 'skip', ended_by: 'ua' }]);
  const users = await sql`SELECT id FROM users WHERE id IN ('ua', 'ub') ORDER BY id`;
  expect(users.map((u) => u.id)).toEqual(['ua', 'ub']);
});

test('writes are idempotent: the journal may deliver an entry twice, in any order', async () => {
  const log = new PostgresSessionLog(sql);
  const t = Date.now();
  const s = session('s-twice', 'ue', 'uf', t);
  const end = ended(s, 'uf', t + 100);
  const report = reported('s-twice', 'ue', 'uf', 'spam');
  await log.write([end]);
  await log.write([started(s), end, report]);
  await log.write([report]);
  const rows = await sql`SELECT ended_by FROM sessions WHERE session_id = 's-twice'`;
  expect(rows.map((r) => r.ended_by)).toEqual(['uf']);
  expect((await sql`SELECT count(*)::int AS n FROM reports WHERE session_id = 's-twice'`)[0]?.n).toBe(1);
  // A report blocks the two devices for good, once.
  expect((await sql`SELECT count(*)::int AS n FROM device_blocks WHERE a = 'd-ue' AND b = 'd-uf'`)[0]?.n).toBe(1);
});

test('an entry PostgreSQL refuses is rejected alone; the rest of its batch is written', async () => {
  const log = new PostgresSessionLog(sql);
  const t = Date.now();
  const good = Array.from({ length: 9 }, (_, i) => started(session(`s-ok-${i}`, `ug${i}`, `uh${i}`, t)));
  // A NUL cannot be stored in a text column: the protocol refuses it, and if one ever gets this far
  // it must not hold back anyone else's rows.
  const poisoned = reported('s-ok-3', 'ug3', 'uh3', 'spam\u0000');
  const rejected = await log.write([...good.slice(0, 5), poisoned, ...good.slice(5)]);
  expect(rejected).toEqual([poisoned]);
  const rows = await sql`SELECT count(*)::int AS n FROM sessions WHERE session_id LIKE 's-ok-%'`;
  expect(rows[0]?.n).toBe(9);
});

test('when PostgreSQL cannot be written at all, the write rejects and nothing is reported as refused', async () => {
  const down = connect('postgres://postgres@127.0.0.1:1/nowhere', { max: 1 });
  try {
    const log = new PostgresSessionLog(down);
    await expect(log.write([started(session('s-down', 'ui', 'uj', Date.now()))])).rejects.toThrow();
  } finally {
    await down.end({ timeout: 1 });
  }
});

test('last_seen_at moves when the user was last seen over a minute ago, not on every batch', async () => {
  const log = new PostgresSessionLog(sql);
  await log.write([started(session('s2', 'uc', 'ud', Date.now()))]);
  await sql`UPDATE users SET last_seen_at = now() - interval '10 minutes' WHERE id = 'uc'`;
  await sql`UPDATE users SET last_seen_at = now() - interval '10 seconds' WHERE id = 'ud'`;
  const seen = async () => {
    const rows = await sql<
      { id: string; at: Date }[]
    >`SELECT id, last_seen_at AS at FROM users WHERE id IN ('uc', 'ud')`;
    return Object.fromEntries(rows.map((r) => [r.id, r.at.getTime()]));
  };
  const before = await seen();
  await log.write([started(session('s3', 'uc', 'ud', Date.now()))]);
  const after = await seen();
  expect(after.uc).toBeGreaterThan((before.uc ?? Number.POSITIVE_INFINITY) + 9 * 60_000);
  expect(after.ud).toBe(before.ud as number);
});

test('reports from three different devices within a day ban the reported device for a day, once', async () => {
  const log = new PostgresSessionLog(sql, { autoBan: { reporters: 3, hours: 24 } });
  await log.write([reported('s-b1', 'r1', 'target', 'spam'), reported('s-b2', 'r2', 'target', 'spam')]);
  expect((await sql`SELECT count(*)::int AS n FROM bans WHERE device_id = 'd-target'`)[0]?.n).toBe(0);
  await log.write([reported('s-b3', 'r3', 'target', 'spam'), reported('s-b4', 'r3', 'target', 'again')]);
  await log.write([reported('s-b5', 'r4', 'target', 'spam')]);
  const bans =
    await sql`SELECT expires_at > now() + interval '23 hours' AS day, reason FROM bans WHERE device_id = 'd-target'`;
  expect([...bans]).toEqual([{ day: true, reason: 'reported by 3 people within a day' }]);
});

test('a report keeps its category apart from its details', async () => {
  const log = new PostgresSessionLog(sql);
  await log.write([
    reported('s-c1', 'rc1', 'tc', 'nudity: showed everything'),
    reported('s-c2', 'rc2', 'tc', 'spam'),
    reported('s-c3', 'rc3', 'tc', 'was rude'),
  ]);
  const rows = await sql`SELECT category, reason FROM reports WHERE reported = 'tc' ORDER BY session_id`;
  expect([...rows]).toEqual([
    { category: 'nudity', reason: 'showed everything' },
    { category: 'spam', reason: '' },
    { category: 'other', reason: 'was rude' },
  ]);
});

test('retention forgets old sessions, their connections and old reports; blocks stay for good', async () => {
  const log = new PostgresSessionLog(sql);
  const old = session('s-old', 'uo1', 'uo2', Date.now());
  await log.write([started(old), reported('s-old', 'uo1', 'uo2', 'spam')]);
  await sql`UPDATE sessions SET started_at = now() - interval '100 days' WHERE session_id = 's-old'`;
  await sql`UPDATE users SET last_seen_at = now() - interval '100 days' WHERE id IN ('uo1', 'uo2')`;
  await sql`UPDATE reports SET created_at = now() - interval '400 days' WHERE session_id = 's-old'`;
  const gone = await forget(sql, { days: 90, reportDays: 365 });
  expect(gone.sessions).toBeGreaterThanOrEqual(1);
  expect(gone.reports).toBeGreaterThanOrEqual(1);
  expect((await sql`SELECT 1 FROM sessions WHERE session_id = 's-old'`).length).toBe(0);
  expect((await sql`SELECT 1 FROM users WHERE id IN ('uo1', 'uo2')`).length).toBe(0);
  expect((await sql`SELECT 1 FROM device_blocks WHERE a = 'd-uo1' AND b = 'd-uo2'`).length).toBe(1);
});
