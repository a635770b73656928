/**
 * Measuring over a stretch of samples: rates of the servers' counters and where the CPU went
 * (cores busy: 1.0 is one core), including what the rest of the machine took — on a shared box,
 * other jobs compete for the same two cores, and a report has to say so.
 */
import type { InstanceSample, Sample } from './sampler.ts';
import { bucketDelta, histogramQuantile } from './stats.ts';

/** Indexes into the samples, inclusive. */
export interface Window {
  from: number;
  to: number;
}

type Key = keyof Omit<InstanceSample, 'ok' | 'actorsByState' | 'ttm' | 'scrapeMs'>;

export const totalOf = (s: Sample | undefined, key: Key): number =>
  s ? s.instances.reduce((sum, i) => sum + i[key], 0) : 0;

/** The samples between two wall-clock times (ms epoch). */
export function windowBetween(samples: Sample[], fromAt: number, toAt: number): Window {
  let from = samples.findIndex((s) => s.at >= fromAt);
  if (from < 0) from = Math.max(0, samples.length - 1);
  let to = from;
  while (to + 1 < samples.length && (samples[to + 1]?.at ?? 0) <= toAt) to++;
  return { from, to };
}

export const seconds = (samples: Sample[], w: Window): number =>
  ((samples[w.to]?.at ?? 0) - (samples[w.from]?.at ?? 0)) / 1000;

/** Per-second rate of a server counter (summed over instances) across the window. */
export function rate(samples: Sample[], w: Window, key: Key): number {
  const s = seconds(samples, w);
  return s > 0 ? (totalOf(samples[w.to], key) - totalOf(samples[w.from], key)) / s : 0;
}

export function delta(samples: Sample[], w: Window, key: Key): number {
  return totalOf(samples[w.to], key) - totalOf(samples[w.from], key);
}

export interface Cores {
  server: number;
  k6: number;
  redis: number;
  postgres: number;
  machine: number;
  /** Everything else on the machine: other jobs, the runner itself, the kernel's share not charged to these. */
  other: number;
}

export function cores(samples: Sample[], w: Window): Cores {
  const a = samples[w.from];
  const b = samples[w.to];
  const ms = (b?.at ?? 0) - (a?.at ?? 0);
  if (!a || !b || ms <= 0) return { server: 0, k6: 0, redis: 0, postgres: 0, machine: 0, other: 0 };
  const d = (x: number | null, y: number | null) => (x === null || y === null ? 0 : (y - x) / ms);
  const server = d(totalOf(a, 'cpuMs'), totalOf(b, 'cpuMs'));
  const k6 = d(a.k6CpuMs, b.k6CpuMs);
  const redis = d(a.redisCpuMs, b.redisCpuMs);
  const postgres = d(a.pgCpuMs, b.pgCpuMs);
  const machine = d(a.machine.busyMs, b.machine.busyMs);
  return { server, k6, redis, postgres, machine, other: Math.max(0, machine - server - k6 - redis - postgres) };
}

/** Time to match as the servers measured it (their histogram), over the window, in ms. */
export function serverTtm(samples: Sample[], w: Window): { p50: number | null; p99: number | null } {
  const sum = (s: Sample | undefined): [number, number][] => {
    const by = new Map<number, number>();
    for (const i of s?.instances ?? []) for (const [le, c] of i.ttm) by.set(le, (by.get(le) ?? 0) + c);
    return [...by.entries()].sort((x, y) => x[0] - y[0]);
  };
  const h = bucketDelta(sum(samples[w.from]), sum(samples[w.to]));
  const q = (p: number) => {
    const v = histogramQuantile(p, h);
    return v === null ? null : v * 1000;
  };
  return { p50: q(0.5), p99: q(0.99) };
}
