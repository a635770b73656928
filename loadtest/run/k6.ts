/**
 * Runs k6 (the pinned binary the set-up builds into Go's bin directory) on one script with
 * parameters as `-e` variables, writing the JSON summary and the web dashboard's HTML report into
 * the run's results directory. k6's own CPU time comes from the kernel's accounting of the child.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** One metric of k6's summary export: its statistics, and each threshold's verdict (true: crossed). */
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

/** What a k6 run left behind. */
export interface K6Result {
  /** 0 passed; 99 thresholds crossed (a ramp's normal end); anything else: the run broke. */
  code: number;
  /** k6's own output (also in `<name>.k6.log`). */
  log: string;
  metrics: Record<string, SummaryMetric>;
  cpuMs: number;
  startedAt: number;
  endedAt: number;
}

/** A k6 run in progress: its pid (for its CPU) and its result. */
export interface K6Run {
  pid: number;
  done: Promise<K6Result>;
}

/** The k6 binary: K6_BIN, or `$(go env GOPATH)/bin/k6` where the set-up puts it. */
export function k6Binary(): string {
  if (process.env.K6_BIN) return process.env.K6_BIN;
  const gopath = execFileSync('go', ['env', 'GOPATH'], { encoding: 'utf8' }).trim();
  return join(gopath, 'bin', 'k6');
}

/** How to run k6 on one script. */
export interface K6Options {
  script: string;
  env: Record<string, string | number>;
  /** Directory for `<name>.summary.json` and (with `dashboard`) `<name>.dashboard.html`. */
  outDir: string;
  /** Prefix of the files in outDir. */
  name: string;
  /** Export the web dashboard's HTML report. */
  dashboard: boolean;
  /** Show k6's own output (progress and end-of-test summary) on the console. */
  verbose: boolean;
  /** Dashboard aggregation period. */
  dashboardPeriod?: string;
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

/** Protocol errors the VUs logged (the first few of each VU), counted by code. */
export function loggedErrors(log: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const m of log.matchAll(/protocol_error (\S+)/g)) out[m[1] ?? '?'] = (out[m[1] ?? '?'] ?? 0) + 1;
  return out;
}

/** Starts k6; its output is collected (and echoed when verbose) and kept in the results. */
export function startK6(o: K6Options): K6Run {
  const summary = join(o.outDir, `${o.name}.summary.json`);
  const args = ['run', '--no-usage-report', '--no-color', '-q', '--summary-export', summary];
  for (const [k, v] of Object.entries(o.env)) args.push('-e', `${k}=${v}`);
  args.push(o.script);
  const env: Record<string, string> = { ...(process.env as Record<string, string>) };
  if (o.dashboard) {
    Object.assign(env, {
      K6_WEB_DASHBOARD: 'true',
      K6_WEB_DASHBOARD_PORT: '-1', // no live server: only the exported report
      K6_WEB_DASHBOARD_EXPORT: join(o.outDir, `${o.name}.dashboard.html`),
      K6_WEB_DASHBOARD_PERIOD: o.dashboardPeriod ?? '2s',
    });
  }
  const startedAt = Date.now();
  const proc = Bun.spawn([k6Binary(), ...args], { env, stdout: 'pipe', stderr: 'pipe' });
  const done = (async (): Promise<K6Result> => {
    const [code, out, err] = await Promise.all([
      proc.exited,
      tee(proc.stdout, o.verbose ? process.stdout : null),
      tee(proc.stderr, o.verbose ? process.stderr : null),
    ]);
    const log = `${out}${err}`;
    writeFileSync(join(o.outDir, `${o.name}.k6.log`), log);
    if (code !== 0 && code !== 99 && !o.verbose) console.error(log.trim().split('\n').slice(-30).join('\n'));
    const usage = proc.resourceUsage();
    const metrics = existsSync(summary) ? JSON.parse(readFileSync(summary, 'utf8')).metrics : {};
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

/** Thresholds k6 reported crossed, as "metric: expression". */
export function crossed(metrics: Record<string, SummaryMetric>): string[] {
  const out: string[] = [];
  for (const [name, m] of Object.entries(metrics)) {
    for (const [expr, bad] of Object.entries(m.thresholds ?? {})) if (bad) out.push(`${name}: ${expr}`);
  }
  return out;
}
