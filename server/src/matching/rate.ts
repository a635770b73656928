/**
 * A rate limit as the scripts keep it (GCRA, see lib.lua): `perMinute` events sustained and
 * `burst` at once, exact because each key's whole state is one timestamp (the "theoretical arrival
 * time"). The in-process matcher uses this; Redis runs the same arithmetic in Lua.
 */
import type { Rate } from '../config.ts';

/** Milliseconds between events at the sustained rate. */
export const periodOf = (rate: Rate) => 60_000 / rate.perMinute;

export class RateLimiter {
  private readonly tat = new Map<string, number>();

  /** Records an event for `key` and returns 0, or returns the ms until it would be allowed (nothing recorded). */
  take(key: string, now: number, rate: Rate): number {
    const period = periodOf(rate);
    const tat = Math.max(this.tat.get(key) ?? now, now);
    const allowAt = tat + period - period * rate.burst;
    if (allowAt > now) return Math.ceil(allowAt - now);
    this.tat.set(key, tat + period);
    if (this.tat.size > 10_000) this.prune(now);
    return 0;
  }

  /** How long until an event for `key` would be allowed (0: now), recording nothing. */
  peek(key: string, now: number, rate: Rate): number {
    const period = periodOf(rate);
    const tat = Math.max(this.tat.get(key) ?? now, now);
    return Math.max(0, Math.ceil(tat + period - period * rate.burst - now));
  }

  /** Keys whose bucket is full again hold nothing worth keeping. */
  private prune(now: number): void {
    for (const [key, tat] of this.tat) if (tat <= now) this.tat.delete(key);
  }
}
