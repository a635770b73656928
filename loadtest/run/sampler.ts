/**
 * Samples the run at a fixed interval: each instance's /metrics (pairs, queue, actors, sockets,
 * frames, time-to-match histogram, JavaScript heap) and /proc (RSS, CPU), plus the CPU of k6, Redis,
 * PostgreSQL and the whole machine. Everything a report says over time comes from these samples.
 */

import { cpuMs, cpuMsOf, machineCpu, pidsNamed, rssKb } from './proc.ts';
import { buckets, parseProm, sum } from './prom.ts';
import type { Instance } from './servers.ts';

export interface InstanceSample {
  ok: boolean;
  /** How long /metrics took to answer, in ms (it runs on the server's one JavaScript thread). */
  scrapeMs: number;
  pairs: number;
  waiting: number;
  actors: number;
  actorsByState: Record<string, number>;
  sockets: number;
  pendingRows: number;
  /** JavaScript heap in use (prom-client's nodejs_heap_size_used_bytes: Bun's process.memoryUsage). */
  heapBytes: number;
  rssKb: number;
  cpuMs: number;
  framesIn: number;
  framesOut: number;
  hellos: number;
  enqueues: number;
  /** matcher_time_to_match_seconds, cumulative buckets. */
  ttm: [number, number][];
}

export interface Sample {
  /** ms since the sampler started. */
  t: number;
  at: number;
  instances: InstanceSample[];
  k6CpuMs: number | null;
  redisCpuMs: number | null;
  pgCpuMs: number;
  machine: { busyMs: number; totalMs: number };
  /** Redis script calls served so far (EVALSHA + EVAL). */
  scriptCalls: number | null;
}

const EMPTY: Omit<InstanceSample, 'rssKb' | 'cpuMs' | 'scrapeMs'> = {
  ok: false,
  pairs: 0,
  waiting: 0,
  actors: 0,
  actorsByState: {},
  sockets: 0,
  pendingRows: 0,
  heapBytes: 0,
  framesIn: 0,
  framesOut: 0,
  hellos: 0,
  enqueues: 0,
  ttm: [],
};

async function scrape(instance: Instance): Promise<InstanceSample> {
  const proc = { rssKb: rssKb(instance.pid) ?? 0, cpuMs: cpuMs(instance.pid) ?? 0 };
  const t0 = performance.now();
  try {
    const res = await fetch(`${instance.url}/metrics`, { signal: AbortSignal.timeout(3000) });
    const s = parseProm(await res.text());
    const scrapeMs = performance.now() - t0;
    const actorsByState: Record<string, number> = {};
    for (const x of s) if (x.name === 'matcher_actors') actorsByState[x.labels.state ?? '?'] = x.value;
    return {
      ok: true,
      scrapeMs,
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
      ...proc,
    };
  } catch {
    // An overloaded server may not answer in time; the sample says so rather than guessing.
    return { ...EMPTY, ...proc, scrapeMs: performance.now() - t0 };
  }
}

export class Sampler {
  readonly samples: Sample[] = [];
  /** k6's pid while it runs. */
  k6Pid: number | null = null;
  private timer: ReturnType<typeof setInterval> | null = null;
  private readonly t0 = Date.now();
  private pgPids: number[] = [];

  constructor(
    private readonly instances: Instance[],
    private readonly redisPid: number | null,
    /** The run's database: its backends' CPU is PostgreSQL's share of the run. */
    private readonly database: string,
    private readonly intervalMs: number,
    private readonly scriptCalls: () => Promise<number>,
  ) {}

  async sample(): Promise<Sample> {
    const at = Date.now();
    const [instances, scriptCalls] = await Promise.all([
      Promise.all(this.instances.map(scrape)),
      this.scriptCalls().catch(() => null),
    ]);
    const s: Sample = {
      t: at - this.t0,
      at,
      instances,
      k6CpuMs: this.k6Pid ? cpuMs(this.k6Pid) : null,
      redisCpuMs: this.redisPid ? cpuMs(this.redisPid) : null,
      pgCpuMs: cpuMsOf(this.pgPids),
      machine: machineCpu(),
      scriptCalls,
    };
    this.samples.push(s);
    return s;
  }

  start(): void {
    this.pgPids = pidsNamed('postgres', this.database);
    let busy = false;
    this.timer = setInterval(async () => {
      if (busy) return; // never stack scrapes on a slow server
      busy = true;
      // PostgreSQL starts a backend per connection; pick up the ones the servers opened.
      if (this.samples.length % 10 === 0) this.pgPids = pidsNamed('postgres', this.database);
      await this.sample().finally(() => {
        busy = false;
      });
    }, this.intervalMs);
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }
}
