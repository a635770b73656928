/** Connection limits per address hash in process (the single embedded instance), as admit.lua keeps them in Redis. */
import { RateLimiter } from '../../matching/rate.ts';
import type { Admission, AdmissionLimits, Admit } from '../../ports.ts';

export class MemoryAdmission implements Admission {
  private readonly open = new Map<string, number>();
  private readonly rates = new RateLimiter();
  private readonly used = new Map<string, number>();

  constructor(
    private readonly limits: AdmissionLimits,
    private readonly now: () => number = Date.now,
  ) {}

  async admit(ipHash: string, passed: boolean): Promise<Admit> {
    const now = this.now();
    if ((this.open.get(ipHash) ?? 0) >= this.limits.open) return { ok: false, why: 'full', retryAfterMs: 5000 };
    const wait = passed
      ? this.rates.take(`hard:${ipHash}`, now, this.limits.hard)
      : this.rates.take(`soft:${ipHash}`, now, this.limits.beforeChallenge);
    if (wait > 0) return { ok: false, why: passed ? 'busy' : 'challenge', retryAfterMs: wait };
    this.open.set(ipHash, (this.open.get(ipHash) ?? 0) + 1);
    return { ok: true };
  }

  async needsChallenge(ipHash: string): Promise<boolean> {
    return this.rates.peek(`soft:${ipHash}`, this.now(), this.limits.beforeChallenge) > 0;
  }

  left(ipHash: string): void {
    const n = (this.open.get(ipHash) ?? 0) - 1;
    if (n > 0) this.open.set(ipHash, n);
    else this.open.delete(ipHash);
  }

  async redeem(id: string, ttlMs: number): Promise<boolean> {
    const now = this.now();
    for (const [k, until] of this.used) if (until <= now) this.used.delete(k);
    if (this.used.has(id)) return false;
    this.used.set(id, now + ttlMs);
    return true;
  }
}
