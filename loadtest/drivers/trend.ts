/**
 * A latency distribution kept as counts in fixed 0.1 ms buckets (up to 60 s; slower samples count
 * in the last one), so an hour of samples costs the same 2.4 MB as a second of them, and its
 * quantiles are exact to 0.1 ms. Summarised in the shape of k6's summary export, which the
 * runner reads from every driver.
 */
import type { SummaryMetric } from '../run/driver.ts';

const BUCKET_MS = 0.1;
const BUCKETS = 600_000;

/** A distribution of durations in milliseconds. */
export class Trend {
  private readonly counts = new Uint32Array(BUCKETS);
  private n = 0;
  private sum = 0;
  private lo = Number.POSITIVE_INFINITY;
  private hi = Number.NEGATIVE_INFINITY;

  /** Adds one sample (ms; negative counts as 0). */
  add(ms: number): void {
    const v = Math.max(0, ms);
    const i = Math.min(BUCKETS - 1, Math.floor(v / BUCKET_MS));
    this.counts[i] = (this.counts[i] ?? 0) + 1;
    this.n++;
    this.sum += v;
    this.lo = Math.min(this.lo, v);
    this.hi = Math.max(this.hi, v);
  }

  /** How many samples. */
  get count(): number {
    return this.n;
  }

  /** The value below which a share `q` (0–1) of the samples fall: the bucket's middle, within [min, max]. */
  quantile(q: number): number | undefined {
    if (this.n === 0) return undefined;
    const rank = Math.max(1, Math.ceil(q * this.n));
    let seen = 0;
    for (let i = 0; i < BUCKETS; i++) {
      seen += this.counts[i] ?? 0;
      if (seen >= rank) return Math.min(this.hi, Math.max(this.lo, (i + 0.5) * BUCKET_MS));
    }
    return this.hi;
  }

  /** The summary k6 would give for a Trend (absent fields when there are no samples). */
  summary(): SummaryMetric {
    if (this.n === 0) return { count: 0 };
    const q = (p: number) => this.quantile(p) ?? 0;
    return {
      count: this.n,
      avg: this.sum / this.n,
      min: this.lo,
      med: q(0.5),
      max: this.hi,
      'p(90)': q(0.9),
      'p(95)': q(0.95),
      'p(99)': q(0.99),
    };
  }
}
