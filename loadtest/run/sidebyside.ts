/**
 * The table of `bun run load peer`: one row per server, each from the same churn workload, driven
 * by the same Bun clients and measured the same way — pairs counted by the clients over their own
 * measured window, CPU and RSS from /proc over that window — so the two rows differ only in the
 * server. Numbers only; the ceilings of the same run are what the ratios divide by.
 */
import type { Ceilings } from './ceilings.ts';
import type { DriverResult } from './driver.ts';
import type { Sample } from './sampler.ts';
import { type Cores, cores, proc, windowBetween } from './windows.ts';

/** One server's row. */
export interface SideRow {
  server: string;
  /** Pairs per second, as the clients counted them over their measured window (half a pair per side's `matched`). */
  pairsPerS: number | null;
  measuredSeconds: number | null;
  /** CPU per 1,000 pairs, in ms: the server process(es) alone. */
  serverCpuMsPer1000: number | null;
  /** The same with the stores the server needs: ours, Redis and this run's PostgreSQL backends; an in-memory peer, none. */
  stackCpuMsPer1000: number | null;
  /** The Bun clients' CPU per 1,000 pairs, in ms. */
  clientCpuMsPer1000: number | null;
  ttmP50Ms: number | null;
  ttmP99Ms: number | null;
  /** RSS of the server process(es) at the end of the measured window, in MB. */
  rssMb: number | null;
  protocolErrors: number;
  /** Where the CPU went over the window, in cores (`other`: the rest of the machine). */
  cores: Cores | null;
  /** pairs/s ÷ the Bun-client echo's round trips/s of the same run. */
  pairsPerEchoRoundTrip: number | null;
  /** pairs/s ÷ (EVALSHA/s ÷ 2): for a server that pairs through the claim script (ours). */
  claimRatio: number | null;
  clientLagP99Ms: number | null;
  /** The expected races the wire absorbed (whole run), by kind. */
  races: Record<string, number>;
}

/** What one leg of the side by side measured. */
export interface LegInput {
  server: string;
  samples: Sample[];
  driver: DriverResult;
  ceilings: Ceilings | null;
  /** Whether the server's process(es) were sampled (a peer whose pid is unknown is not). */
  sampled: boolean;
  /** Whether it pairs through the claim script (so the claim ceiling bounds it). */
  claims: boolean;
}

const per1000 = (c: number | undefined, pairsPerS: number | null) =>
  c === undefined || !pairsPerS ? null : (c * 1e6) / pairsPerS;

/** A leg's row: its window is the one the clients measured in, whose edges they report. */
export function sideRow(leg: LegInput): SideRow {
  const m = leg.driver.metrics;
  const from = m.window_from?.value ?? leg.driver.startedAt;
  const until = m.window_until?.value ?? leg.driver.endedAt;
  const seconds = (until - from) / 1000;
  const pairsPerS = seconds > 0 ? (m.pairs?.count ?? 0) / seconds : null;
  // The runner sampled the edges a little before the clients' own (the clients start later than
  // their spawn): from half a second before the window, to its end.
  const c = leg.sampled ? cores(leg.samples, from - 500, until) : null;
  const w = windowBetween(leg.samples, from - 500, until);
  const end = leg.samples[w.to];
  const races: Record<string, number> = {};
  for (const [k, v] of Object.entries(m)) if (k.startsWith('wire_')) races[k.slice(5)] = v.count ?? 0;
  return {
    server: leg.server,
    pairsPerS,
    measuredSeconds: seconds,
    serverCpuMsPer1000: per1000(c?.server, pairsPerS),
    stackCpuMsPer1000: per1000(c ? c.server + c.redis + c.postgres : undefined, pairsPerS),
    clientCpuMsPer1000: per1000(c?.driver, pairsPerS),
    ttmP50Ms: m.time_to_match?.med ?? null,
    ttmP99Ms: m.time_to_match?.['p(99)'] ?? null,
    rssMb: leg.sampled && end ? proc(end, 'rssKb') / 1024 : null,
    protocolErrors: m.protocol_errors?.count ?? 0,
    cores: c,
    pairsPerEchoRoundTrip: leg.ceilings && pairsPerS ? pairsPerS / leg.ceilings.echoRoundTripsPerSecond : null,
    claimRatio: leg.ceilings && pairsPerS && leg.claims ? pairsPerS / (leg.ceilings.evalshaPerSecond / 2) : null,
    clientLagP99Ms: m.client_lag?.['p(99)'] ?? null,
    races,
  };
}

const num = (v: number | null, digits = 0): string =>
  v === null ? '—' : v.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

/** The columns, each with how to print a row's value. */
const COLUMNS: [string, (r: SideRow) => string][] = [
  ['server', (r) => r.server],
  ['pairs/s', (r) => num(r.pairsPerS)],
  ['CPU ms/1k pairs: server', (r) => num(r.serverCpuMsPer1000)],
  ['+ Redis + PG', (r) => num(r.stackCpuMsPer1000)],
  ['clients', (r) => num(r.clientCpuMsPer1000)],
  ['ttm p50 ms', (r) => num(r.ttmP50Ms, 1)],
  ['ttm p99 ms', (r) => num(r.ttmP99Ms, 1)],
  ['RSS MB', (r) => num(r.rssMb, 1)],
  ['errors', (r) => num(r.protocolErrors)],
  ['÷ echo', (r) => num(r.pairsPerEchoRoundTrip, 3)],
  ['÷ claim/2', (r) => num(r.claimRatio, 3)],
  ['other cores', (r) => num(r.cores?.other ?? null, 2)],
];

/** The rows as an aligned text table, then a line per row on where its CPU went and the races its wire absorbed. */
export function sideTable(rows: SideRow[]): string[] {
  const cells = [COLUMNS.map(([h]) => h), ...rows.map((r) => COLUMNS.map(([, f]) => f(r)))];
  const widths = COLUMNS.map((_, i) => Math.max(...cells.map((c) => (c[i] ?? '').length)));
  const line = (c: string[]) =>
    c.map((x, i) => (i === 0 ? x.padEnd(widths[i] ?? 0) : x.padStart(widths[i] ?? 0))).join('  ');
  const out = cells.map(line);
  for (const r of rows) {
    const c = r.cores;
    const where = c
      ? `server ${num(c.server, 2)}, clients ${num(c.driver, 2)}, Redis ${num(c.redis, 2)}, PostgreSQL ${num(c.postgres, 2)}, other ${num(c.other, 2)} cores`
      : 'server not sampled (no pid)';
    const races = Object.entries(r.races).map(([k, v]) => `${k} ×${v}`);
    out.push(
      `${r.server}: over ${num(r.measuredSeconds, 1)} s, ${where}; client timer lag p99 ${num(r.clientLagP99Ms, 1)} ms${races.length ? `; races absorbed: ${races.join(', ')}` : ''}`,
    );
  }
  return out;
}
