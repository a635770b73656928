/**
 * The figures of a run, per scenario, each beside what it should be read against: the ceilings
 * measured in the same run and the CPU each process used. Numbers only; report.ts prints them.
 */
import type { Ceilings } from './ceilings.ts';
import type { K6Result, SummaryMetric } from './k6.ts';
import type { Plan } from './plan.ts';
import type { Sample } from './sampler.ts';
import { bestWindow, median, rateBetween, slope } from './stats.ts';
import { cores, delta, rate, seconds, serverTtm, totalOf, type Window, windowBetween } from './windows.ts';

export interface Figure {
  key: string;
  label: string;
  value: number | null;
  unit: string;
}

export interface RunInput {
  plan: Plan;
  samples: Sample[];
  k6: K6Result;
  ceilings: Ceilings | null;
}

type Add = (key: string, label: string, value: number | null | undefined, unit?: string) => void;

export function computeFigures(r: RunInput): Figure[] {
  const out: Figure[] = [];
  const add: Add = (key, label, value, unit = '') =>
    out.push({ key, label, value: value === undefined || Number.isNaN(value) ? null : value, unit });
  const m = (name: string): SummaryMetric => r.k6.metrics[name] ?? {};
  switch (r.plan.scenario) {
    case 'pairing':
    case 'churn':
    case 'soak':
      steady(r, add, m);
      if (r.plan.scenario === 'soak') soak(r, add);
      break;
    case 'pair_breakpoint':
      ramp(r, add, 'pairs', 'breakpoint_pairs_per_s', 'highest sustained pairs/s');
      break;
    case 'connect_storm':
      ramp(r, add, 'hellos', 'breakpoint_connections_per_s', 'highest sustained connections/s');
      latency(add, m, 'time_to_hello', 'time to hello');
      add('connect_errors', 'connect errors', m('connect_errors').count);
      break;
    case 'idle_capacity':
      idle(r, add);
      latency(add, m, 'time_to_hello', 'time to hello');
      break;
    case 'smoke':
      add('pairs', 'pairs (k6)', m('pairs').count);
      break;
  }
  add('protocol_errors', 'protocol errors (k6)', m('protocol_errors').count ?? 0);
  scrapes(r, add);
  if (r.ceilings) {
    add('ceiling_evalsha_per_s', 'ceiling: claim script alone', r.ceilings.evalshaPerSecond, 'EVALSHA/s');
    add('ceiling_echo_rt_per_s', 'ceiling: k6 ↔ bare Bun echo', r.ceilings.echoRoundTripsPerSecond, 'round trips/s');
    add('ceiling_echo_k6_cores', '  k6 CPU during the echo', r.ceilings.echoK6Cores, 'cores');
    add('ceiling_echo_server_cores', '  echo server CPU during the echo', r.ceilings.echoServerCores, 'cores');
    if (r.ceilings.bareSocketKb !== null) {
      add('ceiling_bare_socket_kb', 'ceiling: RSS per idle socket, bare Bun echo', r.ceilings.bareSocketKb, 'KB');
    }
  }
  return out;
}

/** What sampling cost the servers: each /metrics scrape holds their JavaScript thread. */
function scrapes(r: RunInput, add: Add): void {
  const during = r.samples.filter((s) => s.at >= r.k6.startedAt && s.at <= r.k6.endedAt);
  const ms = during.flatMap((s) => s.instances.map((i) => i.scrapeMs)).sort((a, b) => a - b);
  if (ms.length === 0) return;
  add('scrape_ms_p50', '/metrics scrape time, median (harness cost)', median(ms), 'ms');
  add('scrape_ms_max', '/metrics scrape time, max', ms.at(-1), 'ms');
  const instances = r.samples[0]?.instances.length ?? 1;
  const busy = ms.reduce((a, b) => a + b, 0) / instances;
  add('scrape_share', '  share of the run spent answering scrapes', busy / (r.k6.endedAt - r.k6.startedAt));
}

function latency(add: Add, m: (n: string) => SummaryMetric, name: string, label: string): void {
  const t = m(name);
  add(`${name}_p50`, `${label} p50`, t.med, 'ms');
  add(`${name}_p95`, `${label} p95`, t['p(95)'], 'ms');
  add(`${name}_p99`, `${label} p99`, t['p(99)'], 'ms');
}

function cpuFigures(r: RunInput, w: Window, add: Add, perSecond: number, per: string): void {
  const c = cores(r.samples, w);
  add('server_cores', 'server CPU', c.server, 'cores');
  add('k6_cores', 'k6 CPU', c.k6, 'cores');
  add('redis_cores', 'Redis CPU', c.redis, 'cores');
  add('postgres_cores', 'PostgreSQL CPU (this run’s backends)', c.postgres, 'cores');
  add('other_cores', 'everything else on the machine', c.other, 'cores');
  if (perSecond > 0) {
    add(`server_cpu_ms_per_1000_${per}`, `server CPU per 1,000 ${per}`, (c.server * 1e6) / perSecond, 'ms');
    add(`k6_cpu_ms_per_1000_${per}`, `k6 CPU per 1,000 ${per}`, (c.k6 * 1e6) / perSecond, 'ms');
  }
}

/** pairing, churn, soak: the steady stretch after the sockets opened. */
function steady(r: RunInput, add: Add, m: (n: string) => SummaryMetric): void {
  const from = r.k6.startedAt + r.plan.steadyFromMs;
  const w = windowBetween(r.samples, from, from + r.plan.steadyMs);
  const pairsPerS = rate(r.samples, w, 'pairs');
  add('pairs_per_s', 'pairs/s (servers, steady)', pairsPerS, 'pairs/s');
  add('steady_seconds', 'steady window', seconds(r.samples, w), 's');
  latency(add, m, 'time_to_match', 'time to match');
  latency(add, m, 'time_to_connected', 'time to connected');
  latency(add, m, 'message_rtt', 'message round trip');
  const ttm = serverTtm(r.samples, w);
  add('server_ttm_p99', 'time to match p99 (server histogram)', ttm.p99, 'ms');
  add('client_lag_p99', 'k6 handling lag p99 (sampled)', m('client_lag')['p(99)'], 'ms');
  add('stale_sessions', 'crossed skips (stale_session, expected)', m('stale_sessions').count ?? 0);
  add('dropped_arrivals', 'dropped arrivals (no idle user)', m('dropped_arrivals').count ?? 0);
  const pairs = delta(r.samples, w, 'pairs');
  if (pairs > 0) {
    add('frames_in_per_pair', 'client frames in per pair', delta(r.samples, w, 'framesIn') / pairs);
    add('frames_out_per_pair', 'server frames out per pair', delta(r.samples, w, 'framesOut') / pairs);
    const calls = (r.samples[w.to]?.scriptCalls ?? 0) - (r.samples[w.from]?.scriptCalls ?? 0);
    add('script_calls_per_pair', 'Redis script calls per pair', calls / pairs);
  }
  cpuFigures(r, w, add, pairsPerS, 'pairs');
  ratios(r, add, pairsPerS, rate(r.samples, w, 'framesIn'));
}

function ratios(r: RunInput, add: Add, pairsPerS: number, framesInPerS: number): void {
  if (!r.ceilings) return;
  add('ratio_pairs_to_claim_ceiling', 'pairs/s ÷ (EVALSHA/s ÷ 2)', pairsPerS / (r.ceilings.evalshaPerSecond / 2));
  add(
    'ratio_frames_to_echo_ceiling',
    'client frames/s ÷ echo round trips/s',
    framesInPerS / r.ceilings.echoRoundTripsPerSecond,
  );
}

/** pair_breakpoint, connect_storm: the best window one step long. */
function ramp(r: RunInput, add: Add, key: 'pairs' | 'hellos', figure: string, label: string): void {
  // Only samples taken while k6 ran (it has a CPU reading then) and every server answered.
  const series = r.samples
    .filter((s) => s.k6CpuMs !== null && s.instances.every((i) => i.ok))
    .map((s) => [s.at, totalOf(s, key)] as [number, number]);
  // A run shorter than one step (it broke at once) is measured over its whole length.
  const first = bestWindow(series, r.plan.stepMs);
  const best =
    first.rate > 0 || series.length < 2
      ? first
      : { rate: rateBetween(series, 0, series.length - 1), from: 0, to: series.length - 1 };
  const at = (i: number) => series[i]?.[0] ?? 0;
  const w = windowBetween(r.samples, at(best.from), at(best.to));
  add(figure, label, best.rate, key === 'pairs' ? 'pairs/s' : 'conn/s');
  add('best_window_starts_s', '  …in the window starting at', (at(best.from) - r.k6.startedAt) / 1000, 's');
  add('run_seconds', 'run length (k6)', (r.k6.endedAt - r.k6.startedAt) / 1000, 's');
  add('overload', 'VUs that saw the service level broken', r.k6.metrics.overload?.count ?? 0);
  if (key === 'pairs') {
    const ttm = serverTtm(r.samples, w);
    add('server_ttm_p99', '  time to match p99 in that window (server)', ttm.p99, 'ms');
    add('dropped_arrivals', 'dropped arrivals (no idle user)', r.k6.metrics.dropped_arrivals?.count ?? 0);
  }
  cpuFigures(r, w, add, best.rate, key === 'pairs' ? 'pairs' : 'connections');
  if (key === 'pairs') ratios(r, add, best.rate, rate(r.samples, w, 'framesIn'));
}

/** idle_capacity: memory per connected user, from the baseline before k6 to the plateau. */
function idle(r: RunInput, add: Add): void {
  const before = r.samples.filter((s) => s.at < r.k6.startedAt).slice(-5);
  const users = r.plan.sockets;
  const full = r.samples.filter((s) => s.at > r.k6.startedAt && totalOf(s, 'sockets') >= users);
  const plateau = full.slice(Math.min(3, Math.floor(full.length / 2)));
  const rss = (xs: Sample[]) => median(xs.map((s) => totalOf(s, 'rssKb')));
  const heap = (xs: Sample[]) => median(xs.map((s) => totalOf(s, 'heapBytes')));
  add('plateau_samples', 'samples with every user connected', plateau.length);
  if (plateau.length === 0 || before.length === 0) return;
  add('baseline_rss_mb', 'RSS before (all instances)', rss(before) / 1024, 'MB');
  add('plateau_rss_mb', 'RSS with every user connected', rss(plateau) / 1024, 'MB');
  add('kb_per_idle_user', 'RSS per idle connected user', (rss(plateau) - rss(before)) / users, 'KB');
  add('heap_kb_per_idle_user', 'JS heap per idle connected user', (heap(plateau) - heap(before)) / 1024 / users, 'KB');
  const bare = r.ceilings?.bareSocketKb;
  if (bare)
    add(
      'ratio_kb_to_bare_socket',
      'KB per idle user ÷ KB per bare Bun socket',
      (rss(plateau) - rss(before)) / users / bare,
    );
  const last = plateau.at(-1);
  add('actors_on_plateau', 'actors on the plateau', totalOf(last, 'actors'));
  const w = windowBetween(r.samples, plateau[0]?.at ?? 0, last?.at ?? 0);
  cpuFigures(r, w, add, 0, 'users');
}

/** soak: slopes after the warm-up, drift, and the invariants at every sample. */
function soak(r: RunInput, add: Add): void {
  const from = r.k6.startedAt + r.plan.steadyFromMs + r.plan.warmupMs;
  const until = r.k6.startedAt + r.plan.steadyFromMs + r.plan.steadyMs;
  const xs = r.samples.filter((s) => s.at >= from && s.at <= until && s.instances.every((i) => i.ok));
  const hours = (s: Sample) => s.at / 3_600_000;
  add('soak_samples', 'samples after warm-up', xs.length);
  add(
    'rss_slope_mb_per_h',
    'RSS slope after warm-up',
    slope(xs.map((s) => [hours(s), totalOf(s, 'rssKb') / 1024])),
    'MB/h',
  );
  add(
    'heap_slope_mb_per_h',
    'JS heap slope after warm-up',
    slope(xs.map((s) => [hours(s), totalOf(s, 'heapBytes') / 2 ** 20])),
    'MB/h',
  );
  add('queue_mean', 'queue length, mean', xs.reduce((a, s) => a + totalOf(s, 'waiting'), 0) / Math.max(1, xs.length));
  add('queue_max', 'queue length, max', Math.max(0, ...xs.map((s) => totalOf(s, 'waiting'))));
  add('queue_slope_per_h', 'queue length slope', slope(xs.map((s) => [hours(s), totalOf(s, 'waiting')])), 'users/h');
  const all = r.samples.filter((s) => s.at >= r.k6.startedAt && s.at <= r.k6.endedAt && s.instances.every((i) => i.ok));
  const off = all.filter((s) => totalOf(s, 'actors') !== totalOf(s, 'sockets'));
  add('actor_socket_mismatches', 'samples where live actors ≠ open sockets', off.length);
  add(
    'actor_socket_max_diff',
    '  largest difference',
    Math.max(0, ...off.map((s) => Math.abs(totalOf(s, 'actors') - totalOf(s, 'sockets')))),
  );
  // p99 drift: the server histogram over ten equal stretches after the warm-up.
  const parts = 10;
  const p99s: [number, number][] = [];
  for (let i = 0; i < parts; i++) {
    const a = from + ((until - from) * i) / parts;
    const w = windowBetween(r.samples, a, a + (until - from) / parts);
    const p = serverTtm(r.samples, w).p99;
    if (p !== null && w.to > w.from) p99s.push([hours(r.samples[w.from] as Sample), p]);
  }
  add('ttm_p99_first', 'time to match p99, first tenth (server)', p99s[0]?.[1], 'ms');
  add('ttm_p99_last', 'time to match p99, last tenth (server)', p99s.at(-1)?.[1], 'ms');
  add('ttm_p99_slope_ms_per_h', 'time to match p99 drift', slope(p99s), 'ms/h');
}
