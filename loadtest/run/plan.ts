/**
 * From the command line to a plan: which driver runs which script, how many instances, what the
 * driver is told (k6's `-e` parameters, or the Bun driver's environment), and how the runner
 * samples and measures. Each scenario has defaults sized for this 2-core machine; every default
 * can be overridden by a flag.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { formatDuration, parseDuration } from '../lib/duration.ts';

/**
 * The scenarios: a k6 script each in loadtest/scenarios/, and the Bun-driven ones in
 * loadtest/drivers/ (`bun_churn`; `peer`, the same churn against our server and then a peer's).
 */
export const SCENARIOS = [
  'pair_breakpoint',
  'pairing',
  'churn',
  'connect_storm',
  'idle_capacity',
  'soak',
  'smoke',
  'bun_churn',
  'peer',
] as const;
/** A scenario name. */
export type ScenarioName = (typeof SCENARIOS)[number];

/** What generates the load: k6 on a scenario script, or Bun WebSocket clients (loadtest/drivers/). */
export type DriverName = 'k6' | 'bun';

/** How reports name each driver. */
export const DRIVER_LABEL: Record<DriverName, string> = { k6: 'k6', bun: 'Bun clients' };

/** Everything the runner needs to know about one run. */
export interface Plan {
  scenario: ScenarioName;
  driver: DriverName;
  script: string;
  instances: number;
  /** k6 VUs (the Bun driver is one process). */
  vus: number;
  /**
   * Parameters for the driver: k6's `-e` variables, or the Bun driver's environment (TARGETS is
   * added once the servers are up).
   */
  params: Record<string, string | number>;
  /** Extra server environment. */
  serverEnv: Record<string, string>;
  /** Scrape /metrics this often while the driver runs (0: only at `scrapeMarksMs`); /proc is read every second. */
  scrapeEveryMs: number;
  /** Scrape /metrics at these times after the driver starts (the edges of what the scenario measures). */
  scrapeMarksMs: number[];
  /** Seconds per ceiling; 0 skips them. */
  ceilingSeconds: number;
  profile: boolean;
  dashboard: boolean;
  redisUrl: string | undefined;
  verbose: boolean;
  resultsDir: string;
  /**
   * `peer`: the other server, started by whoever runs the side by side — its WebSocket URL and,
   * when given, its pid (else the runner looks for whoever listens on the URL's port).
   */
  peer: { url: string; pid: number | null } | null;
  /** Sockets the scenario keeps open (for the echo ceiling, and the idle plateau). */
  sockets: number;
  /** When the steady part starts and how long it lasts, relative to the driver's start (ms). */
  steadyFromMs: number;
  steadyMs: number;
  /** Soak: samples before this are warm-up, left out of the slopes. */
  warmupMs: number;
  /** Ramps: the length of one step (the window of "sustained"). */
  stepMs: number;
  /** How long to wait for everything to return to zero after the load. */
  settleMs: number;
  notes: string[];
}

const ROOT = join(import.meta.dir, '../..');

/** Where runs are written (ignored by git). */
export const RESULTS = join(ROOT, 'loadtest/results');

const OPTIONS = {
  rate: { type: 'string' },
  duration: { type: 'string' },
  instances: { type: 'string', default: '1' },
  users: { type: 'string' },
  clients: { type: 'string' },
  vus: { type: 'string', default: '4' },
  'open-rate': { type: 'string' },
  chat: { type: 'string' },
  ready: { type: 'string' },
  'reconnect-every': { type: 'string' },
  hold: { type: 'string' },
  slo: { type: 'string' },
  'start-rate': { type: 'string' },
  step: { type: 'string' },
  'step-every': { type: 'string' },
  'max-rate': { type: 'string' },
  'skip-min': { type: 'string' },
  'skip-max': { type: 'string' },
  'chat-min': { type: 'string' },
  'chat-max': { type: 'string' },
  'scrape-every': { type: 'string' },
  warmup: { type: 'string' },
  ceilings: { type: 'string' }, // no parseArgs default: the smoke's is shorter (see below)
  profile: { type: 'boolean', default: false },
  'no-dashboard': { type: 'boolean', default: false },
  'redis-url': { type: 'string' },
  'peer-url': { type: 'string' },
  'peer-pid': { type: 'string' },
  quiet: { type: 'boolean', default: false },
  help: { type: 'boolean', default: false },
} as const;

/** The help text. */
export const USAGE = `bun run load <scenario> [flags]
bun run load peer --peer-url ws://127.0.0.1:8080/ws [--peer-pid PID] [--clients 1000] [--duration 30s]

scenarios: ${SCENARIOS.join(', ')}
peer: the bun_churn workload against our server (private Redis, fresh database), then against a
  peer server you built and started yourself (larrasket/omegle.lol; see loadtest/README.md), both
  rows in one table with the same run's ceilings
flags (defaults depend on the scenario; see loadtest/README.md):
  --rate N            arrivals into the queue per second (pairing, soak)
  --duration D        e.g. 60s, 10m (pairing, churn, soak, bun_churn, peer: each leg)
  --instances N       server instances on one Redis (default 1)
  --users N           users kept connected      --vus N     k6 VUs (default 4)
  --clients N         Bun WebSocket clients (bun_churn, peer; default 1000)
  --peer-url URL      peer: the peer's WebSocket URL (required)
  --peer-pid PID      peer: its process, for CPU and RSS (default: whoever listens on the URL's port)
  --open-rate N       sockets opened per second at the start
  --start-rate N --step N --step-every D --max-rate N    the staircase (pair_breakpoint, connect_storm)
  --slo MS            p95 that ends a ramp      --hold D    how long sockets stay (idle_capacity, connect_storm)
  --chat N --ready 0|1 --reconnect-every N                the pairing cycle
  --skip-min D --skip-max D --chat-min D --chat-max D     churn timings
  --scrape-every D    also scrape /metrics this often (soak: 60s; each scrape holds the server)
  --warmup D          soak warm-up left out of slopes
  --ceilings D        seconds per ceiling (0 skips)       --profile   server CPU profile
  --no-dashboard      skip the k6 HTML report  --redis-url URL  use this Redis instead of a private one
  --quiet             hide the driver's own output (it is still in the log file)`;

type Values = { [K in keyof typeof OPTIONS]?: string | boolean };

/**
 * The arrival rate the latest `pair_breakpoint` run sustained at its breakpoint (arrivals/s), if any
 * run left one. (Runs from before that figure existed left only pairs/s; each of those pairs took
 * one to two arrivals, and one is the cautious reading.)
 */
export function latestBreakpoint(): number | null {
  if (!existsSync(RESULTS)) return null;
  const runs = readdirSync(RESULTS)
    .filter((d) => d.endsWith('-pair_breakpoint') && existsSync(join(RESULTS, d, 'run.json')))
    .sort();
  const last = runs.at(-1);
  if (!last) return null;
  const run = JSON.parse(readFileSync(join(RESULTS, last, 'run.json'), 'utf8'));
  const arrivals = Number(run.figures?.breakpoint_arrivals_per_s);
  if (Number.isFinite(arrivals) && arrivals > 0) return arrivals;
  const pairs = Number(run.figures?.breakpoint_pairs_per_s);
  return Number.isFinite(pairs) && pairs > 0 ? pairs : null;
}

/** Parses the command line; `{ help }` when there is nothing to run. */
export function parsePlan(argv: string[]): Plan | { help: string } {
  const { values, positionals } = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
  const v = values as Values;
  const scenario = positionals[0] as ScenarioName | undefined;
  if (v.help || !scenario) return { help: USAGE };
  if (!SCENARIOS.includes(scenario)) throw new Error(`unknown scenario "${scenario}"\n\n${USAGE}`);
  const s = (k: keyof typeof OPTIONS) => (typeof v[k] === 'string' ? (v[k] as string) : undefined);
  const n = (k: keyof typeof OPTIONS, fallback: number) => {
    const raw = s(k);
    if (raw === undefined) return fallback;
    const x = Number(raw);
    if (!Number.isFinite(x) || x < 0) throw new Error(`--${k} must be a non-negative number, got "${raw}"`);
    return x;
  };
  const d = (k: keyof typeof OPTIONS, fallback: string) => parseDuration(s(k) ?? fallback);
  const base = {
    scenario,
    driver: 'k6' as DriverName,
    script: join(ROOT, `loadtest/scenarios/${scenario}.ts`),
    instances: n('instances', 1),
    vus: n('vus', 4),
    serverEnv: {} as Record<string, string>,
    scrapeEveryMs: d('scrape-every', scenario === 'soak' ? '60s' : '0s'),
    scrapeMarksMs: [] as number[],
    ceilingSeconds: d('ceilings', scenario === 'smoke' ? '1s' : '5s') / 1000,
    profile: v.profile === true,
    dashboard: v['no-dashboard'] !== true,
    redisUrl: s('redis-url') ?? process.env.REDIS_URL,
    verbose: v.quiet !== true,
    resultsDir: RESULTS,
    peer: scenario === 'peer' ? peerTarget(s('peer-url'), s('peer-pid')) : null,
    warmupMs: 0,
    stepMs: 0,
    settleMs: 30_000,
    notes: [] as string[],
  };
  const part = scenarioPlan(scenario, base.vus, n, d, s, base.notes);
  // Steady scenarios are measured between two scrapes at the edges of their steady stretch.
  const marks = part.steadyMs > 0 ? [part.steadyFromMs, part.steadyFromMs + part.steadyMs] : [];
  return { ...base, scrapeMarksMs: part.scrapeMarksMs ?? marks, ...part };
}

type Num = (k: keyof typeof OPTIONS, fallback: number) => number;
type Dur = (k: keyof typeof OPTIONS, fallback: string) => number;
type Str = (k: keyof typeof OPTIONS) => string | undefined;
type Part = Pick<Plan, 'params' | 'sockets' | 'steadyFromMs' | 'steadyMs'> & Partial<Plan>;

function scenarioPlan(name: ScenarioName, vus: number, n: Num, d: Dur, s: Str, notes: string[]): Part {
  const cycle = (rate: number, durationMs: number, reconnect: number) => {
    const users = n('users', Math.max(1000, Math.ceil(rate)));
    const openRate = n('open-rate', 2000);
    const openMs = (users / openRate) * 1000;
    return {
      params: {
        VUS: vus,
        USERS: users,
        OPEN_RATE: openRate,
        RATE: rate,
        DURATION: `${durationMs / 1000}s`,
        READY: n('ready', 1),
        CHAT: n('chat', 1),
        RECONNECT_EVERY: n('reconnect-every', reconnect),
      },
      sockets: users,
      steadyFromMs: openMs + Math.min(5000, durationMs / 10),
      steadyMs: durationMs - Math.min(5000, durationMs / 10),
    };
  };
  const stairs = (start: number, step: number, every: string, max: number) => ({
    START_RATE: n('start-rate', start),
    STEP: n('step', step),
    STEP_EVERY: `${d('step-every', every) / 1000}s`,
    MAX_RATE: n('max-rate', max),
  });
  switch (name) {
    case 'pairing':
      return cycle(n('rate', 2000), d('duration', '60s'), 0);
    case 'soak': {
      const bp = latestBreakpoint();
      const rate = n('rate', bp ? bp / 2 : 500);
      if (!s('rate')) {
        notes.push(
          bp
            ? `rate: ${rate.toFixed(0)} arrivals/s, half the arrival rate of the latest breakpoint (${bp.toFixed(0)} arrivals/s)`
            : 'rate: no pair_breakpoint result yet, so 500 arrivals/s; pass --rate to choose',
        );
      }
      const durationMs = d('duration', '60m');
      const c = cycle(Math.round(rate), durationMs, 20);
      return { ...c, warmupMs: d('warmup', `${Math.round(durationMs / 5 / 1000)}s`), settleMs: 60_000 };
    }
    case 'pair_breakpoint': {
      const users = n('users', 4000);
      const params: Record<string, string | number> = {
        VUS: vus,
        USERS: users,
        OPEN_RATE: n('open-rate', 2000),
        SLO_MS: n('slo', 250),
        // The lean cycle by default (see the script); --ready 1 --chat 1 makes it the pairing cycle.
        READY: n('ready', 0),
        CHAT: n('chat', 0),
        ...stairs(500, 500, '10s', 20_000),
      };
      return { params, sockets: users, steadyFromMs: 0, steadyMs: 0, stepMs: d('step-every', '10s') };
    }
    case 'churn': {
      const users = n('users', 2000);
      const openRate = n('open-rate', 1000);
      const durationMs = d('duration', '60s');
      const params: Record<string, string | number> = {
        VUS: vus,
        USERS: users,
        OPEN_RATE: openRate,
        DURATION: `${durationMs / 1000}s`,
      };
      for (const [flag, key] of [
        ['skip-min', 'SKIP_MIN'],
        ['skip-max', 'SKIP_MAX'],
        ['chat-min', 'CHAT_MIN'],
        ['chat-max', 'CHAT_MAX'],
      ] as const) {
        const value = s(flag);
        if (value) params[key] = value;
      }
      // The first skips come 5–30 s after the first matches: steady from then on.
      return {
        params,
        sockets: users,
        steadyFromMs: (users / openRate) * 1000 + 15_000,
        steadyMs: durationMs - 15_000,
      };
    }
    case 'connect_storm':
      return {
        params: { VUS: vus, HOLD: s('hold') ?? '1s', SLO_MS: n('slo', 500), ...stairs(200, 200, '5s', 10_000) },
        sockets: 1000,
        steadyFromMs: 0,
        steadyMs: 0,
        stepMs: d('step-every', '5s'),
      };
    case 'idle_capacity': {
      const users = n('users', 10_000);
      const openRate = n('open-rate', 1000);
      const holdMs = d('hold', '30s');
      // Heap and RSS are read on the plateau: three scrapes, from 5 s after the last socket opened.
      const plateau = (users / openRate) * 1000 + 5000;
      const marks = [0, 1, 2].map((i) => plateau + (i * Math.max(0, holdMs - 8000)) / 2);
      return {
        params: { VUS: vus, USERS: users, OPEN_RATE: openRate, HOLD: `${holdMs / 1000}s` },
        sockets: users,
        steadyFromMs: 0,
        steadyMs: 0,
        scrapeMarksMs: marks,
      };
    }
    case 'smoke':
      return {
        params: {},
        sockets: 100,
        steadyFromMs: 0,
        steadyMs: 0,
        // Each smoke scenario names its own interest; no fallback within the run keeps them apart.
        serverEnv: { INTEREST_FALLBACK_MS: '3600000' },
      };
    case 'bun_churn':
      return bunChurn(n, d, '20s');
    case 'peer':
      return bunChurn(n, d, '30s');
  }
}

/** The peer of a side by side, from its flags. */
function peerTarget(url: string | undefined, pid: string | undefined): NonNullable<Plan['peer']> {
  if (!url) throw new Error(`peer needs --peer-url ws://host:port/path (the peer's WebSocket)\n\n${USAGE}`);
  if (!/^wss?:\/\/[^/]+/.test(url)) throw new Error(`--peer-url must be a ws:// or wss:// URL, got "${url}"`);
  if (pid !== undefined && !/^\d+$/.test(pid)) throw new Error(`--peer-pid must be a process id, got "${pid}"`);
  return { url, pid: pid === undefined ? null : Number(pid) };
}

/**
 * bun_churn: `--clients` Bun WebSocket clients (one process, loadtest/drivers/bun-churn.ts) loop
 * queue → matched → a chat line each way → one side skips → both queued again, as fast as the
 * server pairs them. Measured like `pairing`: between two scrapes, after the sockets opened and a
 * warm-up; the driver counts time to match in the same stretch, then leaves cleanly. `peer` runs
 * the same plan twice, once per server.
 */
function bunChurn(n: Num, d: Dur, duration: string): Part {
  const clients = n('clients', 1000);
  const openRate = n('open-rate', 2000);
  const durationMs = d('duration', duration);
  const openMs = (clients / openRate) * 1000;
  const warmupMs = Math.min(5000, durationMs / 10);
  return {
    driver: 'bun',
    script: join(ROOT, 'loadtest/drivers/bun-churn.ts'),
    params: {
      CLIENTS: clients,
      OPEN_RATE: openRate,
      MEASURE_FROM: formatDuration(openMs + warmupMs),
      UNTIL: formatDuration(openMs + durationMs),
    },
    sockets: clients,
    steadyFromMs: openMs + warmupMs,
    steadyMs: durationMs - warmupMs,
  };
}
