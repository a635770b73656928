/**
 * Ceiling: the claim script alone against Redis — distinct users, alternately queued and paired,
 * `inflight` calls outstanding — in EVALSHA/s. At two claims per pair it bounds pairs/s at
 * EVALSHA/s ÷ 2, whatever the server around it does.
 */
import Redis from 'ioredis';
import { defineScripts } from '../../server/src/adapters/redis/scripts.ts';
import { SCAN_LIMIT } from '../../server/src/matching/compat.ts';

/** Runs the claim script for `seconds` with `inflight` calls outstanding; returns calls per second. */
export async function claimCeiling(
  redisUrl: string,
  seconds: number,
  inflight = 64,
): Promise<{ callsPerSecond: number }> {
  const redis = new Redis(redisUrl);
  const scripts = defineScripts(redis);
  const P = `{ceiling-${crypto.randomUUID().slice(0, 8)}}:`;
  let n = 0;
  const deadline = performance.now() + seconds * 1000;
  const worker = async () => {
    while (performance.now() < deadline) {
      const id = `u${n++}`;
      await scripts.claim(
        [`${P}q:video`, `${P}u:${id}`],
        // Its own device, a re-queue (no enqueue limit), the main video queue: the script's plain work.
        [P, id, `c${id}`, 'bench', 'video', Date.now(), Date.now(), '', `s${id}`, 5000, 60000, SCAN_LIMIT].concat([
          `d${id}`,
          'a_bench',
          'again',
          1,
          1e9,
          'video',
        ]),
      );
    }
  };
  const t0 = performance.now();
  await Promise.all(Array.from({ length: inflight }, worker));
  const elapsed = (performance.now() - t0) / 1000;
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${P}*`, 'COUNT', 1000);
    cursor = next;
    if (keys.length > 0) await redis.del(...keys);
  } while (cursor !== '0');
  redis.disconnect();
  return { callsPerSecond: n / elapsed };
}
