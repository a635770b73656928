/**
 * A load generator ("driver") is a child process the runner starts after the servers: k6 on a
 * scenario script (k6.ts), or Bun WebSocket clients (loadtest/drivers/). Either way it is spawned
 * here, its output is collected (and echoed when verbose) and kept in the results, its CPU comes
 * from the kernel's accounting of the child, and it leaves a summary in the shape of k6's
 * `--summary-export` — so figures, checks and reports read both the same way.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** One metric of a summary (k6's export shape): its statistics, and each threshold's verdict (true: crossed). */
export interface SummaryMetric {
  count?: number;
  rate?: number;
  value?: number;
  avg?: number;
  min?: number;
  med?: number;
  max?: number;
  'p(90)'?: number;
  'p(95)'?: number;
  'p(99)'?: number;
  thresholds?: Record<string, boolean>;
}

/** The file a driver writes its summary to: `{ "metrics": { name: SummaryMetric } }`. */
export interface SummaryFile {
  metrics: Record<string, SummaryMetric>;
}

/** What a driver run left behind. */
export interface DriverResult {
  /** 0 passed; 99 thresholds crossed (k6: a ramp's normal end); anything else: the run broke. */
  code: number;
  /** The driver's own output (also in `<name>.<driver>.log`). */
  log: string;
  metrics: Record<string, SummaryMetric>;
  cpuMs: number;
  startedAt: number;
  endedAt: number;
}

/** A driver run in progress: its pid (for its CPU) and its result. */
export interface DriverRun {
  pid: number;
  done: Promise<DriverResult>;
}

/** How to spawn one driver process. */
export interface SpawnOptions {
  cmd: string[];
  env: Record<string, string>;
  /** Where the driver writes its summary (it may not, if it broke: then no metrics). */
  summary: string;
  /** The log file, beside the summary. */
  logFile: string;
  /** Echo the driver's output to the console as it comes. */
  verbose: boolean;
}

/** Collects a stream's text, echoing it to `to` as it comes when given. */
async function tee(stream: ReadableStream<Uint8Array>, to: NodeJS.WriteStream | null): Promise<string> {
  const decoder = new TextDecoder();
  let text = '';
  const reader = stream.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return text;
    const s = decoder.decode(value, { stream: true });
    text += s;
    to?.write(s);
  }
}

/** Spawns a driver; its result comes once it exits. */
export function spawnDriver(o: SpawnOptions): DriverRun {
  const startedAt = Date.now();
  const proc = Bun.spawn(o.cmd, { env: o.env, stdout: 'pipe', stderr: 'pipe' });
  const done = (async (): Promise<DriverResult> => {
    const [code, out, err] = await Promise.all([
      proc.exited,
      tee(proc.stdout, o.verbose ? process.stdout : null),
      tee(proc.stderr, o.verbose ? process.stderr : null),
    ]);
    const log = `${out}${err}`;
    writeFileSync(o.logFile, log);
    if (code !== 0 && code !== 99 && !o.verbose) console.error(log.trim().split('\n').slice(-30).join('\n'));
    const usage = proc.resourceUsage();
    const metrics = existsSync(o.summary) ? (JSON.parse(readFileSync(o.summary, 'utf8')) as SummaryFile).metrics : {};
    return {
      code,
      log,
      metrics,
      cpuMs: usage ? Number(usage.cpuTime.total) / 1000 : 0,
      startedAt,
      endedAt: Date.now(),
    };
  })();
  return { pid: proc.pid, done };
}

/** How to run a Bun driver script (loadtest/drivers/, loadtest/ceilings/echo_bun.ts). */
export interface BunDriverOptions {
  script: string;
  /** Its parameters, as environment variables (k6's `-e` names, for the same meaning). */
  env: Record<string, string | number>;
  outDir: string;
  /** Prefix of the files in outDir. */
  name: string;
  verbose: boolean;
}

/** Starts a Bun driver: `bun <script>` with its parameters and SUMMARY (where to write the summary) in its env. */
export function startBunDriver(o: BunDriverOptions): DriverRun {
  const summary = join(o.outDir, `${o.name}.summary.json`);
  const params = Object.fromEntries(Object.entries(o.env).map(([k, v]) => [k, String(v)]));
  return spawnDriver({
    cmd: ['bun', o.script],
    env: { ...(process.env as Record<string, string>), ...params, SUMMARY: summary },
    summary,
    logFile: join(o.outDir, `${o.name}.bun.log`),
    verbose: o.verbose,
  });
}

/** Protocol errors the driver logged (the first few of each VU or process), counted by code. */
export function loggedErrors(log: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const m of log.matchAll(/protocol_error (\S+)/g)) out[m[1] ?? '?'] = (out[m[1] ?? '?'] ?? 0) + 1;
  return out;
}

/** Thresholds the summary reports crossed, as "metric: expression" (only k6 has thresholds). */
export function crossed(metrics: Record<string, SummaryMetric>): string[] {
  const out: string[] = [];
  for (const [name, m] of Object.entries(metrics)) {
    for (const [expr, bad] of Object.entries(m.thresholds ?? {})) if (bad) out.push(`${name}: ${expr}`);
  }
  return out;
}

/** Waits for the driver to finish; Ctrl-C meanwhile stops the driver (it writes its summary), not the runner. */
export async function finished(run: DriverRun): Promise<DriverResult> {
  const interrupt = () => process.kill(run.pid, 'SIGINT');
  process.once('SIGINT', interrupt);
  try {
    return await run.done;
  } finally {
    process.off('SIGINT', interrupt);
  }
}
