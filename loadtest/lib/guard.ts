/**
 * Decides, inside one VU, that the service level is broken for good: a ramp's stopping rule. Every
 * second it looks at that second's samples; after `strikes` bad seconds in a row it raises the
 * `overload` counter once, whose threshold (`count==0`, abortOnFail) ends the run. k6 thresholds
 * only see the whole run, which reacts far too late for a ramp; this looks at the last seconds.
 */
import { tally } from './client.ts';
import { overload } from './metrics.ts';

/** When a second counts as bad, and how many in a row end a ramp. */
export interface GuardOptions {
  /** A second is bad when its p95 latency exceeds this. */
  sloMs: number;
  /** …or when more than this fraction of its attempts failed (dropped arrivals, connect errors). */
  maxFailure: number;
  /** Bad seconds in a row before the VU declares overload. */
  strikes: number;
  /** Ignore seconds with fewer attempts than this (too few to judge). */
  minAttempts: number;
}

/** One VU's stopping rule for a ramp. */
export class Guard {
  private latencies: number[] = [];
  private attempts = 0;
  private failures = 0;
  private bad = 0;
  /** Set once the VU declared overload. */
  tripped = false;
  /** Why, for the log. */
  reason = '';

  constructor(
    private readonly o: GuardOptions,
    /** Runs the check every second (the crowd's timer, so it stops with the crowd). */
    everySecond: (fn: () => void) => void,
  ) {
    everySecond(() => this.tick());
  }

  latency(ms: number): void {
    this.latencies.push(ms);
  }

  attempt(ok: boolean): void {
    this.attempts++;
    if (!ok) this.failures++;
  }

  private tick(): void {
    if (this.tripped) return;
    const sorted = this.latencies.sort((a, b) => a - b);
    const p95 = sorted[Math.floor(sorted.length * 0.95)] ?? 0;
    const failure = this.attempts > 0 ? this.failures / this.attempts : 0;
    tally.p95 = sorted.length > 0 ? Math.round(p95 * 10) / 10 : -1;
    const judged = this.attempts >= this.o.minAttempts || sorted.length >= this.o.minAttempts;
    const why = p95 > this.o.sloMs ? `p95 ${p95.toFixed(0)} ms` : failure > this.o.maxFailure ? 'failures' : '';
    this.bad = judged && why ? this.bad + 1 : 0;
    this.latencies = [];
    this.attempts = 0;
    this.failures = 0;
    if (this.bad >= this.o.strikes) {
      this.tripped = true;
      this.reason = `${why} for ${this.bad} s`;
      overload.add(1);
    }
  }
}
