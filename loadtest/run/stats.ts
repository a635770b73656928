/**
 * The arithmetic of a report: slopes, sliding windows, quantiles of a histogram. Pure and tested.
 */

/** Least-squares slope of y over x (units of y per unit of x); 0 with fewer than two points. */
export function slope(points: [number, number][]): number {
  const n = points.length;
  if (n < 2) return 0;
  let sx = 0;
  let sy = 0;
  for (const [x, y] of points) {
    sx += x;
    sy += y;
  }
  const mx = sx / n;
  const my = sy / n;
  let num = 0;
  let den = 0;
  for (const [x, y] of points) {
    num += (x - mx) * (y - my);
    den += (x - mx) ** 2;
  }
  return den === 0 ? 0 : num / den;
}

/**
 * The lowest point of each consecutive window of `width` (in x's units), at the window's middle.
 * A garbage-collected heap is a sawtooth, and a line through a sawtooth measures when the collector
 * happened to run; its floor, what survives collection, is what grows when something leaks.
 */
export function floors(points: [number, number][], width: number): [number, number][] {
  const first = points[0];
  if (!first || width <= 0) return [];
  const out: [number, number][] = [];
  const x0 = first[0];
  for (const [x, y] of points) {
    const i = Math.floor((x - x0) / width);
    const mid = x0 + (i + 0.5) * width;
    const last = out.at(-1);
    if (last && last[0] === mid) last[1] = Math.min(last[1], y);
    else out.push([mid, y]);
  }
  return out;
}

/** The median (0 for no values). */
export function median(values: number[]): number {
  if (values.length === 0) return 0;
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? (s[mid] ?? 0) : ((s[mid - 1] ?? 0) + (s[mid] ?? 0)) / 2;
}

/**
 * The best average rate of a counter over any window of `windowMs`: `series` is [time ms, cumulative
 * count]. Returns the rate per second and where the window starts (index into series).
 */
export function bestWindow(series: [number, number][], windowMs: number): { rate: number; from: number; to: number } {
  let best = { rate: 0, from: 0, to: 0 };
  let j = 0;
  for (let i = 0; i < series.length; i++) {
    const [t, c] = series[i] ?? [0, 0];
    while (j < series.length && (series[j]?.[0] ?? 0) - t < windowMs) j++;
    if (j >= series.length) break;
    const [t2, c2] = series[j] ?? [0, 0];
    const rate = ((c2 - c) * 1000) / (t2 - t);
    if (rate > best.rate) best = { rate, from: i, to: j };
  }
  return best;
}

/** Rate per second of a cumulative series between two indexes. */
export function rateBetween(series: [number, number][], from: number, to: number): number {
  const a = series[from];
  const b = series[to];
  if (!a || !b || b[0] === a[0]) return 0;
  return ((b[1] - a[1]) * 1000) / (b[0] - a[0]);
}

/**
 * A quantile from cumulative histogram buckets (Prometheus style, linear within a bucket), in the
 * buckets' unit. Returns null when the histogram is empty; the top finite bound when q falls in +Inf.
 */
export function histogramQuantile(q: number, cumulative: [number, number][]): number | null {
  const total = cumulative.at(-1)?.[1] ?? 0;
  if (total === 0) return null;
  const rank = q * total;
  let prevLe = 0;
  let prevCount = 0;
  for (const [le, count] of cumulative) {
    if (count >= rank) {
      if (!Number.isFinite(le)) return prevLe;
      const inBucket = count - prevCount;
      return inBucket === 0 ? le : prevLe + ((le - prevLe) * (rank - prevCount)) / inBucket;
    }
    prevLe = le;
    prevCount = count;
  }
  return prevLe;
}

/** Bucket counts of b minus a (the histogram of what happened between two scrapes). */
export function bucketDelta(a: [number, number][], b: [number, number][]): [number, number][] {
  const before = new Map(a);
  return b.map(([le, count]) => [le, count - (before.get(le) ?? 0)]);
}
