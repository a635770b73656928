/**
 * Runs k6 (the pinned binary the set-up builds into Go's bin directory) on one script with
 * parameters as `-e` variables, writing the JSON summary and the web dashboard's HTML report into
 * the run's results directory. The process itself is handled as every driver is (driver.ts).
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { type DriverRun, spawnDriver } from './driver.ts';

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

/** Starts k6; its output is collected (and echoed when verbose) and kept in the results. */
export function startK6(o: K6Options): DriverRun {
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
  return spawnDriver({
    cmd: [k6Binary(), ...args],
    env,
    summary,
    logFile: join(o.outDir, `${o.name}.k6.log`),
    verbose: o.verbose,
  });
}
