/** The admin board against real Redis, and the in-memory one, under one contract. */
import { afterAll, describe, expect, test } from 'bun:test';
import Redis from 'ioredis';
import { MemoryBoard } from '../src/adapters/memory/board.ts';
import { RedisBoard } from '../src/adapters/redis/board.ts';
import type { AdminBoard } from '../src/ports.ts';
import { REDIS_URL } from './support/server.ts';

type View = { instance: string; at: number; online: number };

const redis = new Redis(REDIS_URL, { lazyConnect: true });
afterAll(() => redis.quit());

function contract(name: string, make: (now: () => number) => AdminBoard<View>) {
  describe(`admin board (${name})`, () => {
    test('each instance keeps its latest view; views past the TTL are left out', async () => {
      let t = 1_000_000;
      const board = make(() => t);
      await board.publish({ instance: 'a', at: t, online: 1 });
      await board.publish({ instance: 'b', at: t, online: 2 });
      await board.publish({ instance: 'a', at: t, online: 3 });
      const read = async () => (await board.read()).sort((x, y) => x.instance.localeCompare(y.instance));
      expect(await read()).toEqual([
        { instance: 'a', at: t, online: 3 },
        { instance: 'b', at: t, online: 2 },
      ]);
      t += 1500;
      await board.publish({ instance: 'a', at: t, online: 4 });
      expect(await read()).toEqual([{ instance: 'a', at: t, online: 4 }]);
    });
  });
}

contract('memory', (now) => new MemoryBoard<View>(1000, now));
contract('redis', (now) => new RedisBoard<View>(redis, `{t${crypto.randomUUID().slice(0, 8)}}:`, 1000, now));

test('the Redis board deletes views of instances long dead, and expires when every instance is gone', async () => {
  let t = 2_000_000;
  const board = new RedisBoard<View>(redis, `{t${crypto.randomUUID().slice(0, 8)}}:`, 1000, () => t);
  await board.publish({ instance: 'gone', at: t, online: 1 });
  await redis.hset(board.key, 'garbage', 'not json');
  t += 20_000;
  await board.publish({ instance: 'alive', at: t, online: 1 });
  expect((await board.read()).map((v) => v.instance)).toEqual(['alive']);
  expect(Object.keys(await redis.hgetall(board.key))).toEqual(['alive']);
  const ttl = await redis.pttl(board.key);
  expect(ttl).toBeGreaterThan(0);
  expect(ttl).toBeLessThanOrEqual(10_000);
  await redis.del(board.key);
});
