/**
 * The figures of a run, per scenario, each beside what it should be read against: the ceilings
 * measured in the same run and the CPU each process used. Numbers only; report.ts prints them.
 */
import type { Ceilings } from './ceilings.ts';
import type { DriverResult, SummaryMetric } from './driver.ts';
import { DRIVER_LABEL, type Plan } from './plan.ts';
import type { Sample } from './sampler.ts';
import { bestWindow, floors, median, rateBetween, slope } from './stats.ts';
import { parseTicks, totals, worstP95 } from './ticks.ts';
import { cores, delta, metric, proc, rate, scrapedOnly, seconds, serverTtm, windowBetween } from './windows.ts';

/** One number of a report, with its label and unit. */
export interface Figure {
  key: string;
  label: string;
  value: number | null;
  unit: string;
}

/** Everything a run measured. */
export interface RunInput {
  plan: Plan;
  samples: Sample[];
  /** What the load generator (k6, or the Bun driver) reported. */
  driver: DriverResult;
  ceilings: Ceilings | null;
}

type Add = (key: string, label: string, value: number | null | undefined, unit?: string) => void;
type Metric = (name: string) => SummaryMetric;

/** The scenario's figures, then the ones every run has (errors, harness cost, ceilings). */
export function computeFigures(r: RunInput): Figure[] {
  const out: Figure[] = [];
  const add: Add = (key, label, value, unit = '') =>
    out.push({ key, label, value: value === undefined || Number.isNaN(value) ? null : value, unit });
  const m: Metric = (name) => r.driver.metrics[name] ?? {};
  const by = DRIVER_LABEL[r.plan.driver];
  switch (r.plan.scenario) {
    case 'pairing':
    case 'churn':
    case 'soak':
      steady(r, add, m, K6_LATENCIES);
      if (r.plan.scenario === 'soak') soak(r, add);
      break;
    case 'bun_churn':
    case 'peer': // our leg of the side by side; the peer's row is sidebyside.ts's
      // The Bun driver sends no `ready` and echoes nothing: time to match is its one latency.
      steady(r, add, m, ['time_to_match']);
      break;
    case 'pair_breakpoint':
      ramp(r, add, 'pairs');
      latency(add, m, 'time_to_match', 'time to match, whole run');
      break;
    case 'connect_storm':
      ramp(r, add, 'hellos');
      latency(add, m, 'time_to_hello', 'time to hello, whole run');
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
  add('protocol_errors', `protocol errors (${by})`, m('protocol_errors').count ?? 0);
  add('client_lag_p99', LAG_LABEL[r.plan.driver], m('client_lag')['p(99)'], 'ms');
  scrapes(r, add);
  if (r.ceilings) ceilingFigures(r.ceilings, add);
  return out;
}

function ceilingFigures(c: Ceilings, add: Add): void {
  const by = DRIVER_LABEL[c.echoDriver];
  add('ceiling_evalsha_per_s', 'ceiling: claim script alone', c.evalshaPerSecond, 'EVALSHA/s');
  add('ceiling_echo_rt_per_s', `ceiling: ${by} ↔ bare Bun echo`, c.echoRoundTripsPerSecond, 'round trips/s');
  add(`ceiling_echo_${c.echoDriver}_cores`, `  ${by} CPU during the echo`, c.echoDriverCores, 'cores');
  add('ceiling_echo_server_cores', '  echo server CPU during the echo', c.echoServerCores, 'cores');
  if (c.bareSocketKb !== null)
    add('ceiling_bare_socket_kb', 'ceiling: RSS per idle socket, bare Bun', c.bareSocketKb, 'KB');
}

/** What sampling cost the servers: each /metrics scrape holds their JavaScript thread. */
function scrapes(r: RunInput, add: Add): void {
  const during = r.samples.filter((s) => s.scraped && s.at >= r.driver.startedAt && s.at <= r.driver.endedAt);
  const ms = during.flatMap((s) => s.instances.map((i) => i.metrics?.scrapeMs ?? 0)).sort((a, b) => a - b);
  add('scrapes_during_run', '/metrics scrapes during the load (harness cost)', during.length);
  if (ms.length > 0) add('scrape_ms_max', '  longest scrape (server thread held)', ms.at(-1), 'ms');
}

function latency(add: Add, m: Metric, name: string, label: string): void {
  const t = m(name);
  add(`${name}_p50`, `${label} p50`, t.med, 'ms');
  add(`${name}_p95`, `${label} p95`, t['p(95)'], 'ms');
  add(`${name}_p99`, `${label} p99`, t['p(99)'], 'ms');
}

function cpuFigures(r: RunInput, fromAt: number, toAt: number, add: Add, perSecond: number, per: string): void {
  const c = cores(r.samples, fromAt, toAt);
  const [key, by] = [r.plan.driver, DRIVER_LABEL[r.plan.driver]];
  add('server_cores', 'server CPU', c.server, 'cores');
  add(`${key}_cores`, `${by} CPU`, c.driver, 'cores');
  add('redis_cores', 'Redis CPU', c.redis, 'cores');
  add('postgres_cores', 'PostgreSQL CPU (this run’s backends)', c.postgres, 'cores');
  add('other_cores', 'everything else on the machine', c.other, 'cores');
  if (perSecond > 0) {
    add(`server_cpu_ms_per_1000_${per}`, `server CPU per 1,000 ${per}`, (c.server * 1e6) / perSecond, 'ms');
    add(`${key}_cpu_ms_per_1000_${per}`, `${by} CPU per 1,000 ${per}`, (c.driver * 1e6) / perSecond, 'ms');
  }
}

/** What each driver's `client_lag` is: when it grows, the driver, not the server, is behind. */
const LAG_LABEL: Record<Plan['driver'], string> = {
  k6: 'k6 handling lag p99 (sampled; k6 itself behind)',
  bun: 'Bun clients timer lag p99 (the clients behind)',
};

/** The latencies the k6 clients measure (lib/metrics.ts). */
const K6_LATENCIES = ['time_to_match', 'time_to_connected', 'message_rtt'];
const LATENCY_LABEL: Record<string, string> = {
  time_to_match: 'time to match',
  time_to_connected: 'time to connected',
  message_rtt: 'message round trip',
};

/** pairing, churn, soak, bun_churn: the steady stretch after the sockets opened, between two scrapes. */
function steady(r: RunInput, add: Add, m: Metric, latencies: string[]): void {
  const fromAt = r.driver.startedAt + r.plan.steadyFromMs;
  // Scrapes while the driver ran: the one after it (settling) has no driver CPU reading.
  const scraped = scrapedOnly(r.samples).filter((s) => s.driverCpuMs !== null);
  const w = windowBetween(scraped, fromAt - 500, fromAt + r.plan.steadyMs + 500);
  const a = scraped[w.from];
  const b = scraped[w.to];
  const pairsPerS = rate(scraped, w, 'pairs');
  add('pairs_per_s', 'pairs/s (servers, steady)', pairsPerS, 'pairs/s');
  add('steady_seconds', 'steady window', seconds(scraped, w), 's');
  for (const name of latencies) latency(add, m, name, LATENCY_LABEL[name] ?? name);
  const ttm = serverTtm(a, b);
  add('server_ttm_p99', 'time to match p99 (server histogram, steady)', ttm.p99, 'ms');
  // Users queued when the window closed: a queue that keeps growing means waits that keep growing.
  const queued = (s: Sample | undefined) =>
    s?.instances.reduce((n, i) => n + (i.metrics?.actorsByState.waiting ?? 0), 0) ?? 0;
  add('queued_at_start', 'users queued at the start of the window', queued(a));
  add('queued_at_end', 'users queued at its end', queued(b));
  // k6's races and paced arrivals; the Bun driver's one skipper per session crosses nothing, and
  // its users re-queue as fast as they go (a stale_session there is a protocol error).
  if (r.plan.driver === 'k6') {
    add('stale_sessions', 'crossed skips (stale_session, expected)', m('stale_sessions').count ?? 0);
    add('dropped_arrivals', 'dropped arrivals (no idle user)', m('dropped_arrivals').count ?? 0);
  }
  const pairs = delta(scraped, w, 'pairs');
  if (pairs > 0) {
    add('frames_in_per_pair', 'client frames in per pair', delta(scraped, w, 'framesIn') / pairs);
    add('frames_out_per_pair', 'server frames out per pair', delta(scraped, w, 'framesOut') / pairs);
    add(
      'script_calls_per_pair',
      'Redis script calls per pair',
      ((b?.scriptCalls ?? 0) - (a?.scriptCalls ?? 0)) / pairs,
    );
  }
  cpuFigures(r, a?.at ?? fromAt, b?.at ?? fromAt, add, pairsPerS, 'pairs');
  ratios(r, add, pairsPerS, rate(scraped, w, 'framesIn'));
}

function ratios(r: RunInput, add: Add, pairsPerS: number, framesInPerS: number | null): void {
  if (!r.ceilings) return;
  add('ratio_pairs_to_claim_ceiling', 'pairs/s ÷ (EVALSHA/s ÷ 2)', pairsPerS / (r.ceilings.evalshaPerSecond / 2));
  if (framesInPerS !== null) {
    add(
      'ratio_frames_to_echo',
      'client frames/s ÷ echo round trips/s',
      framesInPerS / r.ceilings.echoRoundTripsPerSecond,
    );
  }
}

/** pair_breakpoint, connect_storm: the best window one step long, from k6's per-second totals. */
function ramp(r: RunInput, add: Add, key: 'pairs' | 'hellos'): void {
  const ticks = parseTicks(r.driver.log);
  const series = totals(ticks, key);
  const first = bestWindow(series, r.plan.stepMs);
  // A run shorter than one step (it broke at once) is measured over its whole length.
  const best =
    first.rate > 0 || series.length < 2
      ? first
      : { rate: rateBetween(series, 0, series.length - 1), from: 0, to: series.length - 1 };
  const fromAt = series[best.from]?.[0] ?? r.driver.startedAt;
  const toAt = series[best.to]?.[0] ?? r.driver.endedAt;
  const unit = key === 'pairs' ? 'pairs/s' : 'conn/s';
  add(
    key === 'pairs' ? 'breakpoint_pairs_per_s' : 'breakpoint_connections_per_s',
    `highest sustained ${unit}`,
    best.rate,
    unit,
  );
  if (key === 'pairs') {
    // The soak's default load is half of this (see plan.ts).
    const arrivals = totals(ticks, 'arrivals');
    add(
      'breakpoint_arrivals_per_s',
      '  arrivals/s in that window',
      rateBetween(arrivals, best.from, best.to),
      'arrivals/s',
    );
  }
  add(
    'best_window_starts_s',
    `  over ${r.plan.stepMs / 1000} s from second`,
    (fromAt - r.driver.startedAt) / 1000,
    's',
  );
  add('best_window_p95', '  worst VU p95 in that window', worstP95(ticks, fromAt, toAt), 'ms');
  add('run_seconds', 'run length (k6)', (r.driver.endedAt - r.driver.startedAt) / 1000, 's');
  add('overload', 'VUs that saw the service level broken', r.driver.metrics.overload?.count ?? 0);
  if (key === 'pairs')
    add('dropped_arrivals', 'dropped arrivals, whole run', r.driver.metrics.dropped_arrivals?.count ?? 0);
  cpuFigures(r, fromAt, toAt, add, best.rate, key === 'pairs' ? 'pairs' : 'connections');
  if (key === 'pairs') ratios(r, add, best.rate, null);
}

/** idle_capacity: memory per connected user, from the baseline before k6 to the plateau. */
function idle(r: RunInput, add: Add): void {
  const scraped = scrapedOnly(r.samples);
  const users = r.plan.sockets;
  const before = scraped.filter((s) => s.at < r.driver.startedAt).slice(-3);
  const plateau = scraped.filter((s) => s.at > r.driver.startedAt && metric(s, 'sockets') >= users);
  const rss = (xs: Sample[]) => median(xs.map((s) => proc(s, 'rssKb')));
  const heap = (xs: Sample[]) => median(xs.map((s) => metric(s, 'heapBytes')));
  add('plateau_samples', 'scrapes with every user connected', plateau.length);
  if (plateau.length === 0 || before.length === 0) return;
  const kb = (rss(plateau) - rss(before)) / users;
  add('baseline_rss_mb', 'RSS before (all instances)', rss(before) / 1024, 'MB');
  add('plateau_rss_mb', 'RSS with every user connected', rss(plateau) / 1024, 'MB');
  add('kb_per_idle_user', 'RSS per idle connected user', kb, 'KB');
  add('heap_kb_per_idle_user', 'JS heap per idle connected user', (heap(plateau) - heap(before)) / 1024 / users, 'KB');
  if (r.ceilings?.bareSocketKb)
    add('ratio_kb_to_bare_socket', 'KB per idle user ÷ KB per bare Bun socket', kb / r.ceilings.bareSocketKb);
  add('actors_on_plateau', 'actors on the plateau', metric(plateau.at(-1), 'actors'));
  cpuFigures(r, plateau[0]?.at ?? 0, plateau.at(-1)?.at ?? 0, add, 0, 'users');
}

/** soak: slopes after the warm-up, drift, and the invariants at every scrape. */
function soak(r: RunInput, add: Add): void {
  const from = r.driver.startedAt + r.plan.steadyFromMs + r.plan.warmupMs;
  const until = r.driver.startedAt + r.plan.steadyFromMs + r.plan.steadyMs;
  const hours = (s: Sample) => s.at / 3_600_000;
  const all = r.samples.filter((s) => s.at >= from && s.at <= until);
  const xs = scrapedOnly(all);
  add('soak_scrapes', 'scrapes after warm-up', xs.length);
  add(
    'rss_slope_mb_per_h',
    'RSS slope after warm-up',
    slope(all.map((s) => [hours(s), proc(s, 'rssKb') / 1024])),
    'MB/h',
  );
  add(
    'heap_slope_mb_per_h',
    'JS heap slope after warm-up',
    slope(xs.map((s) => [hours(s), metric(s, 'heapBytes') / 2 ** 20])),
    'MB/h',
  );
  // The floors (lowest point per 5 minutes) say whether what survives garbage collection grows.
  const rssPoints = all.map((s): [number, number] => [hours(s), proc(s, 'rssKb') / 1024]);
  const heapPoints = xs.map((s): [number, number] => [hours(s), metric(s, 'heapBytes') / 2 ** 20]);
  add('rss_floor_slope_mb_per_h', 'RSS floor slope (lowest per 5 min)', slope(floors(rssPoints, 5 / 60)), 'MB/h');
  add('heap_floor_slope_mb_per_h', 'JS heap floor slope (lowest per 5 min)', slope(floors(heapPoints, 5 / 60)), 'MB/h');
  add('queue_mean', 'queue length, mean', xs.reduce((a, s) => a + metric(s, 'waiting'), 0) / Math.max(1, xs.length));
  add('queue_max', 'queue length, max', Math.max(0, ...xs.map((s) => metric(s, 'waiting'))));
  add('queue_slope_per_h', 'queue length slope', slope(xs.map((s) => [hours(s), metric(s, 'waiting')])), 'users/h');
  // Checked over the steady stretch: in the drain, k6 closes sockets of users still in a session,
  // and their actors rightly wait out the resume grace period.
  const run = scrapedOnly(r.samples.filter((s) => s.at >= r.driver.startedAt + r.plan.steadyFromMs && s.at <= until));
  const diff = (s: Sample) => Math.abs(metric(s, 'actors') - metric(s, 'sockets'));
  add('actor_socket_checks', 'scrapes checking live actors = open sockets', run.length);
  add('actor_socket_mismatches', '  where they differed', run.filter((s) => diff(s) !== 0).length);
  add('actor_socket_max_diff', '  largest difference', Math.max(0, ...run.map(diff)));
  // p99 drift: the server histogram between consecutive scrapes after the warm-up.
  const p99s: [number, number][] = [];
  for (let i = 1; i < xs.length; i++) {
    const p = serverTtm(xs[i - 1], xs[i]).p99;
    if (p !== null) p99s.push([hours(xs[i] as Sample), p]);
  }
  add('ttm_p99_first', 'time to match p99, first interval (server)', p99s[0]?.[1], 'ms');
  add('ttm_p99_last', 'time to match p99, last interval (server)', p99s.at(-1)?.[1], 'ms');
  add('ttm_p99_slope_ms_per_h', 'time to match p99 drift', slope(p99s), 'ms/h');
}
