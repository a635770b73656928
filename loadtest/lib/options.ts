/**
 * Shared k6 options: the trend statistics every report shows, the one-long-iteration-per-VU
 * scenario shape (a VU's users live on sockets the VU keeps open, so arrivals are paced inside it),
 * and the thresholds that say whether the protocol held.
 */
import exec from 'k6/execution';
import type { Options, Scenario, Threshold } from 'k6/options';
import { formatDuration } from './duration.ts';

/** The statistics every trend shows in the summary (p99 included: the targets are p99s). */
export const TREND_STATS = ['avg', 'min', 'med', 'p(90)', 'p(95)', 'p(99)', 'max', 'count'];

/** Every scenario: the protocol held (no error frames, no frame out of order, no dropped socket). */
export const CORRECT: Record<string, Threshold[]> = { protocol_errors: ['count==0'] };

/** Ramps: a VU that saw the service level broken for several seconds ends the run. */
export const STOP_ON_OVERLOAD: Record<string, Threshold[]> = {
  overload: [{ threshold: 'count==0', abortOnFail: true }],
};

/** `vus` VUs, one iteration each, that may run for `maxMs` (plus a grace to close their sockets). */
export function perVu(vus: number, maxMs: number, execName = 'default'): Scenario {
  return {
    executor: 'per-vu-iterations',
    vus,
    iterations: 1,
    maxDuration: formatDuration(Math.ceil(maxMs / 1000) * 1000),
    gracefulStop: '10s',
    exec: execName,
  };
}

/** A script's k6 options: its scenarios and thresholds, the shared summary statistics and tags. */
export function buildOptions(scenarios: Record<string, Scenario>, thresholds: Record<string, Threshold[]>): Options {
  // Every frame k6 reads is a sample of its built-in metrics; fewer tags on each make them cheaper,
  // and only `scenario` is used (the smoke's per-scenario thresholds).
  return { scenarios, thresholds, summaryTrendStats: TREND_STATS, systemTags: ['scenario'] };
}

/** This VU's index within its scenario (0-based), also when several scenarios run at once. */
export const vuIndex = (): number => exec.scenario.iterationInTest;
