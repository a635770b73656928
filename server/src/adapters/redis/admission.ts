/** Connection limits per address hash in Redis (admit.lua), exact across every instance. */
import type Redis from 'ioredis';
import { periodOf } from '../../matching/rate.ts';
import type { Admission, AdmissionLimits, Admit } from '../../ports.ts';
import { defineScripts, type ScriptCall, type ScriptName } from './scripts.ts';

export class RedisAdmission implements Admission {
  private readonly scripts: Record<ScriptName, ScriptCall>;

  constructor(
    private readonly redis: Redis,
    /** The matcher's key prefix, hash tag included ("{mm}:"). */
    private readonly prefix: string,
    private readonly instance: string,
    private readonly limits: AdmissionLimits,
    private readonly now: () => number = Date.now,
  ) {
    this.scripts = defineScripts(redis);
  }

  async admit(ipHash: string, passed: boolean): Promise<Admit> {
    const row = (await this.call(ipHash, passed, false)) as string[];
    const [verdict, retry] = row;
    if (verdict === 'ok') return { ok: true };
    return { ok: false, why: verdict as 'challenge' | 'busy' | 'full', retryAfterMs: Number(retry) };
  }

  async needsChallenge(ipHash: string): Promise<boolean> {
    const row = (await this.call(ipHash, false, true)) as string[];
    return row[0] === 'challenge';
  }

  left(ipHash: string): void {
    this.scripts.unadmit([`${this.prefix}ipc:${ipHash}`], [this.prefix, this.instance]).catch(() => {});
  }

  async redeem(id: string, ttlMs: number): Promise<boolean> {
    return (await this.redis.set(`${this.prefix}pow:${id}`, '1', 'PX', Math.max(1, ttlMs), 'NX')) === 'OK';
  }

  private call(ipHash: string, passed: boolean, peek: boolean) {
    const P = this.prefix;
    const { open, beforeChallenge: soft, hard } = this.limits;
    return this.scripts.admit(
      [`${P}ipc:${ipHash}`, `${P}rl:conn:${ipHash}`, `${P}rl:hard:${ipHash}`],
      [
        P,
        ipHash,
        this.instance,
        this.now(),
        open,
        periodOf(soft),
        soft.burst,
        periodOf(hard),
        hard.burst,
        passed ? '1' : '0',
        peek ? '1' : '0',
      ],
    );
  }
}
