/**
 * The admin board in Redis: one hash, `{prefix}:admin:views`, a field per instance holding its
 * latest view as JSON. Readers skip views older than the TTL and delete those long dead, so the
 * hash stays as small as the set of live instances; the key itself expires when all are gone.
 * Plain commands, one key: no script, nothing on the pairing path.
 */
import type Redis from 'ioredis';
import type { AdminBoard } from '../../ports.ts';

export class RedisBoard<V extends { instance: string; at: number }> implements AdminBoard<V> {
  readonly key: string;

  constructor(
    private readonly redis: Redis,
    /** The matcher's key prefix, hash tag included ("{mm}:"). */
    prefix: string,
    private readonly ttlMs: number,
    private readonly now: () => number = Date.now,
  ) {
    this.key = `${prefix}admin:views`;
  }

  async publish(view: V): Promise<void> {
    await this.redis
      .multi()
      .hset(this.key, view.instance, JSON.stringify(view))
      .pexpire(this.key, this.ttlMs * 10)
      .exec();
  }

  async read(): Promise<V[]> {
    const all = await this.redis.hgetall(this.key);
    const now = this.now();
    const live: V[] = [];
    const dead: string[] = [];
    for (const [instance, raw] of Object.entries(all)) {
      let view: V;
      try {
        view = JSON.parse(raw) as V;
      } catch {
        dead.push(instance);
        continue;
      }
      if (typeof view?.at !== 'number' || now - view.at > this.ttlMs * 10) dead.push(instance);
      else if (now - view.at <= this.ttlMs) live.push(view);
    }
    if (dead.length > 0) await this.redis.hdel(this.key, ...dead);
    return live;
  }
}
