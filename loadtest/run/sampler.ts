/**
 * Samples the run. Two cadences, because they cost the servers very different amounts:
 * - /proc (CPU and RSS of the servers, the driver, Redis, PostgreSQL, the whole machine) every second: the
 *   kernel answers, the servers do nothing;
 * - /metrics only when asked (`scrape`) or every `scrapeEveryMs`: each scrape runs prom-client's
 *   default collectors on the server's one JavaScript thread, and under Bun its heap statistics
 *   walk the whole heap — 80–800 ms with thousands of actors. Scraping every second would put
 *   those stalls into the very latencies a run measures, so runs scrape at the edges of what they
 *   measure, and every report states what its scrapes cost.
 */

import { cpuMs, cpuMsOf, machineCpu, pidsNamed, rssKb } from './proc.ts';
import { buckets, parseProm, sum } from './prom.ts';
import type { Instance } from './servers.ts';

/** What /metrics said (absent when the sample did not scrape, or the server did not answer). */
export interface ServerMetrics {
  pairs: number;
  waiting: number;
  actors: number;
  actorsByState: Record<string, number>;
  sockets: number;
  pendingRows: number;
  /** JavaScript heap in use (prom-client's nodejs_heap_size_used_bytes: Bun's process.memoryUsage). */
  heapBytes: number;
  framesIn: number;
  framesOut: number;
  hellos: number;
  enqueues: number;
  /** matcher_time_to_match_seconds, cumulative buckets. */
  ttm: [number, number][];
  /** How long /metrics took to answer, in ms. */
  scrapeMs: number;
}

/** One instance at one moment: from /proc always, from /metrics when scraped. */
export interface InstanceSample {
  rssKb: number;
  cpuMs: number;
  metrics: ServerMetrics | null;
}

/** The whole run at one moment. */
export interface Sample {
  at: number;
  /** Whether this sample asked every server for /metrics (and each answered: `metrics` set). */
  scraped: boolean;
  instances: InstanceSample[];
  /** CPU of the load generator (k6, or the Bun driver) while it runs. */
  driverCpuMs: number | null;
  redisCpuMs: number | null;
  pgCpuMs: number;
  machine: { busyMs: number; totalMs: number };
  /** Redis script calls served so far (EVALSHA + EVAL), read with each scrape. */
  scriptCalls: number | null;
}

/** What the sampler needs of a server process: its pid (for /proc) and where its /metrics are. */
export type Sampled = Pick<Instance, 'pid' | 'url'>;

async function scrape(instance: Sampled): Promise<ServerMetrics | null> {
  const t0 = performance.now();
  try {
    const res = await fetch(`${instance.url}/metrics`, { signal: AbortSignal.timeout(5000) });
    const s = parseProm(await res.text());
    const actorsByState: Record<string, number> = {};
    for (const x of s) if (x.name === 'matcher_actors') actorsByState[x.labels.state ?? '?'] = x.value;
    return {
      pairs: sum(s, 'matcher_pairs_total'),
      waiting: sum(s, 'matcher_waiting_users'),
      actors: sum(s, 'matcher_actors'),
      actorsByState,
      sockets: sum(s, 'ws_connections'),
      pendingRows: sum(s, 'sessionlog_pending_rows'),
      heapBytes: sum(s, 'nodejs_heap_size_used_bytes'),
      framesIn: sum(s, 'ws_frames_total', { direction: 'in' }),
      framesOut: sum(s, 'ws_frames_total', { direction: 'out' }),
      hellos: sum(s, 'ws_frames_total', { direction: 'out', type: 'hello' }),
      enqueues: sum(s, 'ws_frames_total', { direction: 'in', type: 'enqueue' }),
      ttm: buckets(s, 'matcher_time_to_match_seconds'),
      scrapeMs: performance.now() - t0,
    };
  } catch {
    return null; // an overloaded server may not answer in time: the sample says so
  }
}

/** Samples /proc every second and /metrics when asked. */
export class Sampler {
  readonly samples: Sample[] = [];
  /** The driver's pid (k6, or the Bun driver) while it runs. */
  driverPid: number | null = null;
  private timers: ReturnType<typeof setInterval>[] = [];
  private pgPids: number[] = [];
  private lastScrape = 0;

  constructor(
    /** The servers under test (a peer server someone else started is sampled from /proc only). */
    private readonly instances: Sampled[],
    private readonly redisPid: number | null,
    /** The run's database: its backends' CPU is PostgreSQL's share of the run (null: no PostgreSQL). */
    private readonly database: string | null,
    /** Scrape /metrics on the regular tick this often (0: only when asked). */
    private readonly scrapeEveryMs: number,
    private readonly scriptCalls: () => Promise<number>,
  ) {}

  async sample(withScrape: boolean): Promise<Sample> {
    const at = Date.now();
    // The kernel's view first, at `at`; a scrape may take a while on a busy server.
    const procs = this.instances.map((i) => ({ rssKb: rssKb(i.pid) ?? 0, cpuMs: cpuMs(i.pid) ?? 0 }));
    const s: Sample = {
      at,
      scraped: false,
      instances: procs.map((p) => ({ ...p, metrics: null })),
      driverCpuMs: this.driverPid ? cpuMs(this.driverPid) : null,
      redisCpuMs: this.redisPid ? cpuMs(this.redisPid) : null,
      pgCpuMs: cpuMsOf(this.pgPids),
      machine: machineCpu(),
      scriptCalls: null,
    };
    if (withScrape) {
      this.lastScrape = at;
      const [metrics, calls] = await Promise.all([
        Promise.all(this.instances.map(scrape)),
        this.scriptCalls().catch(() => null),
      ]);
      s.instances = procs.map((p, n) => ({ ...p, metrics: metrics[n] ?? null }));
      s.scraped = metrics.every((m) => m !== null);
      s.scriptCalls = calls;
    }
    // Kept in time order even when a slow scrape finishes after a later tick.
    let i = this.samples.length;
    while (i > 0 && (this.samples[i - 1]?.at ?? 0) > at) i--;
    this.samples.splice(i, 0, s);
    return s;
  }

  /** Scrapes now (e.g. at the edges of a measured window). */
  scrapeNow(): Promise<Sample> {
    return this.sample(true);
  }

  /** Scrapes at these delays from now. */
  scrapeAt(delaysMs: number[]): void {
    for (const ms of delaysMs) this.timers.push(setTimeout(() => void this.scrapeNow(), ms));
  }

  /** Reads /proc only (no /metrics) at these delays from now: the edges of a window on a server without our metrics. */
  sampleAt(delaysMs: number[]): void {
    for (const ms of delaysMs) this.timers.push(setTimeout(() => void this.sample(false), ms));
  }

  start(): void {
    // Without a database of its own the run has no PostgreSQL share (and no needle to find one by).
    const backends = () => (this.database ? pidsNamed('postgres', this.database) : []);
    this.pgPids = backends();
    let ticks = 0;
    this.timers.push(
      setInterval(() => {
        // PostgreSQL starts a backend per connection; pick up the ones the servers opened.
        if (++ticks % 10 === 0) this.pgPids = backends();
        const due = this.scrapeEveryMs > 0 && Date.now() - this.lastScrape >= this.scrapeEveryMs;
        void this.sample(due);
      }, 1000),
    );
  }

  stop(): void {
    for (const t of this.timers) clearTimeout(t);
    this.timers = [];
  }
}
