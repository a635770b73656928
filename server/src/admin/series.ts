/**
 * Events per second over a sliding window (pairs formed, for the /admin chart): one counter per
 * second in a fixed ring, so recording is an increment and memory never grows.
 */

export interface Series {
  /** The second (epoch seconds) of the last value; values run up to and including it. */
  until: number;
  /** Oldest first. */
  perSecond: number[];
}

export class PerSecond {
  /** One slot more than the window: the current, still counting second. */
  private readonly counts: Uint32Array;
  private readonly slots: number;
  /** The second the newest slot belongs to. */
  private second = 0;
  total = 0;

  constructor(
    readonly window = 300,
    private readonly now: () => number = Date.now,
  ) {
    this.slots = window + 1;
    this.counts = new Uint32Array(this.slots);
  }

  add(n = 1): void {
    this.advance(Math.floor(this.now() / 1000));
    const slot = this.second % this.slots;
    this.counts[slot] = (this.counts[slot] ?? 0) + n;
    this.total += n;
  }

  /** The window's values up to the last whole second (the current one is still counting). */
  series(): Series {
    const current = Math.floor(this.now() / 1000);
    this.advance(current);
    const until = current - 1;
    const perSecond: number[] = [];
    for (let s = until - this.window + 1; s <= until; s++) {
      perSecond.push(s > this.second - this.slots ? (this.counts[s % this.slots] ?? 0) : 0);
    }
    return { until, perSecond };
  }

  private advance(second: number): void {
    if (second <= this.second) return;
    const from = Math.max(this.second + 1, second - this.slots + 1);
    for (let s = from; s <= second; s++) this.counts[s % this.slots] = 0;
    this.second = second;
  }
}

/** Sums series second by second (instances' clocks agree to the second; a missing value is 0). */
export function sumSeries(list: Series[], window: number): Series {
  const until = Math.max(0, ...list.map((s) => s.until));
  const perSecond = new Array<number>(window).fill(0);
  for (const s of list) {
    const offset = until - s.until;
    for (let i = 0; i < s.perSecond.length; i++) {
      const at = i - offset - (s.perSecond.length - window);
      if (at >= 0 && at < window) perSecond[at] = (perSecond[at] ?? 0) + (s.perSecond[i] ?? 0);
    }
  }
  return { until, perSecond };
}
