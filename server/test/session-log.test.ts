/**
 * The session log against a real PostgreSQL (a fresh database): a session started and ended in one
 * batch is one row; users are upserted, with last_seen_at kept to the minute instead of rewritten
 * on every batch.
 */
import { afterAll, beforeAll, expect, test } from 'bun:test';
import postgres from 'postgres';
import { connect, type Db } from '../src/adapters/postgres/db.ts';
import { migrate } from '../src/adapters/postgres/migrate.ts';
import { PostgresSessionLog } from '../src/adapters/postgres/session-log.ts';
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

test('a session started and ended before one flush is one ended row; its users exist', async () => {
  const rec = new PostgresSessionLog(sql);
  const t = Date.now();
  rec.started(session('s1', 'ua', 'ub', t));
  rec.ended({ ...session('s1', 'ua', 'ub', t), endedAt: t + 500, endedBy: 'ua', reason: 'skip' });
  expect(rec.pending()).toBe(1);
  await rec.flush();
  expect(rec.pending()).toBe(0);
  const rows = await sql`SELECT session_id, end_reason, ended_by FROM sessions WHERE session_id = 's1'`;
  expect([...rows]).toEqual([{ session_id: 's1', end_reason: 'skip', ended_by: 'ua' }]);
  const users = await sql`SELECT id FROM users WHERE id IN ('ua', 'ub') ORDER BY id`;
  expect(users.map((u) => u.id)).toEqual(['ua', 'ub']);
});

test('last_seen_at moves when the user was last seen over a minute ago, not on every batch', async () => {
  const rec = new PostgresSessionLog(sql);
  rec.started(session('s2', 'uc', 'ud', Date.now()));
  await rec.flush();
  await sql`UPDATE users SET last_seen_at = now() - interval '10 minutes' WHERE id = 'uc'`;
  await sql`UPDATE users SET last_seen_at = now() - interval '10 seconds' WHERE id = 'ud'`;
  const seen = async () => {
    const rows = await sql<
      { id: string; at: Date }[]
    >`SELECT id, last_seen_at AS at FROM users WHERE id IN ('uc', 'ud')`;
    return Object.fromEntries(rows.map((r) => [r.id, r.at.getTime()]));
  };
  const before = await seen();
  rec.started(session('s3', 'uc', 'ud', Date.now()));
  await rec.flush();
  const after = await seen();
  expect(after.uc).toBeGreaterThan((before.uc ?? Number.POSITIVE_INFINITY) + 9 * 60_000);
  expect(after.ud).toBe(before.ud as number);
});
