/**
 * The Redis journal's readers against a real Redis (REDIS_URL, default redis://127.0.0.1:6379):
 * what a reader read and never acknowledged is taken over at once by `adopt` when its instance is
 * found dead, and only once.
 */
import { afterAll, beforeAll, expect, test } from 'bun:test';
import Redis from 'ioredis';
import { RedisJournal } from '../src/adapters/redis/journal.ts';
import type { JournalEntry } from '../src/ports.ts';

const url = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const prefix = `{test-journal-${crypto.randomUUID().slice(0, 8)}}:`;
let redis: Redis;

beforeAll(() => {
  redis = new Redis(url);
});
afterAll(async () => {
  const keys = await redis.keys(`${prefix}*`);
  if (keys.length > 0) await redis.del(...keys);
  redis.disconnect();
});

function ended(i: number): JournalEntry {
  const session = { sessionId: `s${i}`, userA: 'a', userB: 'b', mode: 'text' as const, startedAt: i };
  return { kind: 'ended', session: { ...session, endedAt: i + 1, endedBy: 'a', reason: 'skip' } };
}

function reader(consumer: string, p = prefix): RedisJournal {
  return new RedisJournal({ redis, prefix: p, consumer, takeOverAfterMs: 60_000 });
}

test('a dead reader’s unacknowledged entries are adopted at once, then read and acknowledged by the adopter', async () => {
  const dead = reader('inst-dead');
  const alive = reader('inst-alive');
  await dead.ensureGroup();
  for (let i = 0; i < 1203; i++) await dead.append(ended(i));
  // The dead one read them all (three batches past ADOPT_BATCH) and died before writing any.
  expect((await dead.read(5000)).length).toBe(1203);
  // The stale rule alone would leave them for a minute: the live reader sees nothing new.
  expect(await alive.read(100)).toEqual([]);

  expect(await alive.adopt(['inst-dead', 'inst-alive', 'never-was'])).toBe(1203);
  const got: string[] = [];
  for (let round = 0; round < 10; round++) {
    const batch = await alive.read(500);
    if (batch.length === 0) break;
    expect(batch.length).toBeLessThanOrEqual(500);
    got.push(...batch.map((r) => (r.entry?.kind === 'ended' ? r.entry.session.sessionId : '?')));
    await alive.ack(batch.map((r) => r.id));
  }
  expect(got).toEqual(Array.from({ length: 1203 }, (_, i) => `s${i}`));
  expect(await alive.backlog()).toBe(0);
  // Nothing is left to adopt twice, and the dead reader's list is empty.
  expect(await alive.adopt(['inst-dead'])).toBe(0);
  expect(await redis.xpending(`${prefix}journal`, 'recorders', '-', '+', 10, 'inst-dead')).toEqual([]);
});

test('an entry the dead reader did acknowledge (and so deleted) is not adopted', async () => {
  const p = `{test-journal-${crypto.randomUUID().slice(0, 8)}}:`;
  const dead = reader('inst-dead', p);
  const alive = reader('inst-alive', p);
  await dead.ensureGroup();
  for (let i = 0; i < 4; i++) await dead.append(ended(i));
  const read = await dead.read(10);
  // Written and acknowledged just before the kill: two of the four.
  await dead.ack(read.slice(0, 2).map((r) => r.id));
  expect(await alive.adopt(['inst-dead'])).toBe(2);
  const batch = await alive.read(10);
  expect(batch.map((r) => (r.entry?.kind === 'ended' ? r.entry.session.sessionId : '?'))).toEqual(['s2', 's3']);
  await alive.ack(batch.map((r) => r.id));
  expect(await alive.backlog()).toBe(0);
  const keys = await redis.keys(`${p}*`);
  if (keys.length > 0) await redis.del(...keys);
});
