/**
 * Measuring over a stretch of samples: rates of the servers' counters (from scraped samples) and
 * where the CPU went (from every sample; cores busy, 1.0 is one core), including what the rest of
 * the machine took — on a shared box, other jobs compete for the same two cores.
 */
import type { Sample, ServerMetrics } from './sampler.ts';
import { bucketDelta, histogramQuantile } from './stats.ts';

/** Indexes into a list of samples, inclusive. */
export interface Window {
  from: number;
  to: number;
}

type MetricKey = keyof Omit<ServerMetrics, 'actorsByState' | 'ttm' | 'scrapeMs'>;

/** A server metric summed over instances (0 when the sample did not scrape). */
export const metric = (s: Sample | undefined, key: MetricKey): number =>
  s ? s.instances.reduce((sum, i) => sum + (i.metrics?.[key] ?? 0), 0) : 0;

/** RSS or CPU summed over instances. */
export const proc = (s: Sample | undefined, key: 'rssKb' | 'cpuMs'): number =>
  s ? s.instances.reduce((sum, i) => sum + i[key], 0) : 0;

/** The samples that scraped /metrics. */
export const scrapedOnly = (samples: Sample[]): Sample[] => samples.filter((s) => s.scraped);

/** The samples between two wall-clock times (ms epoch): first at or after `fromAt`, last at or before `toAt`. */
export function windowBetween(samples: Sample[], fromAt: number, toAt: number): Window {
  let from = samples.findIndex((s) => s.at >= fromAt);
  if (from < 0) from = Math.max(0, samples.length - 1);
  let to = from;
  while (to + 1 < samples.length && (samples[to + 1]?.at ?? 0) <= toAt) to++;
  return { from, to };
}

/** How long a window lasts, in seconds. */
export const seconds = (samples: Sample[], w: Window): number =>
  ((samples[w.to]?.at ?? 0) - (samples[w.from]?.at ?? 0)) / 1000;

/** How much a server counter grew across the window. */
export function delta(samples: Sample[], w: Window, key: MetricKey): number {
  return metric(samples[w.to], key) - metric(samples[w.from], key);
}

/** Per-second rate of a server counter (summed over instances) across the window. */
export function rate(samples: Sample[], w: Window, key: MetricKey): number {
  const s = seconds(samples, w);
  return s > 0 ? delta(samples, w, key) / s : 0;
}

/** CPU of each process over a window, in cores. */
export interface Cores {
  server: number;
  /** The load generator: k6, or the Bun driver. */
  driver: number;
  redis: number;
  postgres: number;
  machine: number;
  /** Everything else on the machine: other jobs, the runner itself. */
  other: number;
}

/** CPU between two times, from the samples nearest inside them. */
export function cores(samples: Sample[], fromAt: number, toAt: number): Cores {
  const w = windowBetween(samples, fromAt, toAt);
  const a = samples[w.from];
  const b = samples[w.to];
  const ms = (b?.at ?? 0) - (a?.at ?? 0);
  if (!a || !b || ms <= 0) return { server: 0, driver: 0, redis: 0, postgres: 0, machine: 0, other: 0 };
  const d = (x: number | null, y: number | null) => (x === null || y === null ? 0 : (y - x) / ms);
  const server = d(proc(a, 'cpuMs'), proc(b, 'cpuMs'));
  const driver = d(a.driverCpuMs, b.driverCpuMs);
  const redis = d(a.redisCpuMs, b.redisCpuMs);
  const postgres = d(a.pgCpuMs, b.pgCpuMs);
  const machine = d(a.machine.busyMs, b.machine.busyMs);
  return { server, driver, redis, postgres, machine, other: Math.max(0, machine - server - driver - redis - postgres) };
}

/** Time to match as the servers measured it (their histogram) between two scraped samples, in ms. */
export function serverTtm(a: Sample | undefined, b: Sample | undefined): { p50: number | null; p99: number | null } {
  const sum = (s: Sample | undefined): [number, number][] => {
    const by = new Map<number, number>();
    for (const i of s?.instances ?? []) for (const [le, c] of i.metrics?.ttm ?? []) by.set(le, (by.get(le) ?? 0) + c);
    return [...by.entries()].sort((x, y) => x[0] - y[0]);
  };
  const h = bucketDelta(sum(a), sum(b));
  const q = (p: number) => {
    const v = histogramQuantile(p, h);
    return v === null ? null : v * 1000;
  };
  return { p50: q(0.5), p99: q(0.99) };
}
