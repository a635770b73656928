/** The matcher contract against a real Redis (REDIS_URL, default redis://127.0.0.1:6379). */
import Redis from 'ioredis';
import { listen } from '../src/adapters/redis/bus.ts';
import { RedisJournal } from '../src/adapters/redis/journal.ts';
import { RedisMatcher } from '../src/adapters/redis/matcher.ts';
import type { PeerEvent } from '../src/ports.ts';
import { NO_LIMITS } from './support/fakes.ts';
import { matcherContract } from './support/matcher-contract.ts';

const url = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

matcherContract('redis', async () => {
  const events: { to: string; event: PeerEvent }[] = [];
  const clock = { now: 1_700_000_000_000 };
  const redis = new Redis(url);
  const sub = new Redis(url);
  const prefix = `test-${crypto.randomUUID().slice(0, 8)}`;
  const deliver = (to: string, event: PeerEvent) => events.push({ to, event });
  const matcher = new RedisMatcher({
    redis,
    prefix,
    instanceId: 'test-instance',
    deliver,
    interestFallbackMs: 5_000,
    rematchCooldownMs: 60_000,
    limits: NO_LIMITS,
    now: () => clock.now,
  });
  await listen(sub, matcher.channel, deliver, () => {});
  const journal = new RedisJournal({ redis, prefix: matcher.prefix, consumer: 'test-instance' });
  await journal.ensureGroup();
  return {
    matcher,
    journal,
    events,
    clock,
    close: async () => {
      const keys = await redis.keys(`{${prefix}}:*`);
      if (keys.length > 0) await redis.del(...keys);
      sub.disconnect();
      redis.disconnect();
    },
  };
});
