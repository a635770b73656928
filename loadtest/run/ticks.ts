/**
 * Per-second totals from k6's own log: every VU logs its running counts once a second (TICKS=1, see
 * loadtest/lib/crowd.ts), and these are summed over VUs on a one-second grid. Ramps read their
 * rates from here, so finding a breakpoint needs no scrape of the servers under test. Pure.
 */

/** One VU's running totals at one moment. */
export interface Tick {
  vu: number;
  at: number;
  pairs: number;
  hellos: number;
  arrivals: number;
  dropped: number;
  /** This VU's time to match (or to hello) p95 over its last second, ms; -1 when it had no samples. */
  p95: number;
}

/** [time ms, cumulative count] pairs. */
export type Series = [number, number][];

const LINE = /tick (\d+) (\d+) ([\d.]+) (\d+) (\d+) (\d+) (-?[\d.]+)/g;

/** Every tick line in a k6 log. */
export function parseTicks(log: string): Tick[] {
  return [...log.matchAll(LINE)].map((m) => ({
    vu: Number(m[1]),
    at: Number(m[2]),
    pairs: Number(m[3]),
    hellos: Number(m[4]),
    arrivals: Number(m[5]),
    dropped: Number(m[6]),
    p95: Number(m[7]),
  }));
}

/** The worst per-VU p95 logged in (from, to]: a ramp's latency in a window. */
export function worstP95(ticks: Tick[], from: number, to: number): number | null {
  let worst: number | null = null;
  for (const t of ticks) if (t.at > from && t.at <= to && t.p95 >= 0) worst = Math.max(worst ?? 0, t.p95);
  return worst;
}

/** Cumulative totals over all VUs at each whole second (each VU counts with its latest tick). */
export function totals(ticks: Tick[], key: 'pairs' | 'hellos' | 'arrivals' | 'dropped'): Series {
  if (ticks.length === 0) return [];
  const sorted = [...ticks].sort((a, b) => a.at - b.at);
  const start = Math.ceil((sorted[0]?.at ?? 0) / 1000) * 1000;
  const end = Math.floor((sorted.at(-1)?.at ?? 0) / 1000) * 1000;
  const latest = new Map<number, number>();
  const out: Series = [];
  let i = 0;
  for (let t = start; t <= end; t += 1000) {
    for (; i < sorted.length && (sorted[i]?.at ?? 0) <= t; i++) {
      const tick = sorted[i] as Tick;
      latest.set(tick.vu, tick[key]);
    }
    let sum = 0;
    for (const v of latest.values()) sum += v;
    out.push([t, sum]);
  }
  return out;
}
