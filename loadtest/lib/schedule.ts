/**
 * Arrival schedules. The users of one VU live on sockets the VU keeps open for the whole test, so
 * arrivals cannot be k6 iterations; each VU paces its own share of the rate with these instead.
 * The stages mean what they mean for k6's `ramping-arrival-rate`: ramp linearly from the previous
 * target to this one over the duration. Pure, so it is unit-tested.
 */
import { formatDuration, parseDuration } from './duration.ts';

/** One stage of an arrival schedule. */
export interface Stage {
  durationMs: number;
  /** Arrivals per second at the end of the stage. */
  target: number;
}

/** Parses "30s:100,60s:100,10s:0" (duration:target, comma separated). */
export function parseStages(spec: string): Stage[] {
  const stages = spec
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((s) => {
      const [d, t] = s.split(':');
      const target = Number(t);
      if (d === undefined || t === undefined || !Number.isFinite(target) || target < 0) {
        throw new Error(`bad stage "${s}": expected duration:target, e.g. 30s:100`);
      }
      return { durationMs: parseDuration(d), target };
    });
  if (stages.length === 0) throw new Error('no stages');
  return stages;
}

/** The inverse of `parseStages`. */
export function formatStages(stages: Stage[]): string {
  return stages.map((s) => `${formatDuration(s.durationMs)}:${s.target}`).join(',');
}

/** How long the stages last. */
export function totalMs(stages: Stage[]): number {
  return stages.reduce((sum, s) => sum + s.durationMs, 0);
}

/** The rate at `tMs` after the start; 0 once the stages are over. */
export function rateAt(stages: Stage[], startRate: number, tMs: number): number {
  let from = startRate;
  let t = tMs;
  for (const s of stages) {
    if (t < s.durationMs) return from + ((s.target - from) * t) / s.durationMs;
    t -= s.durationMs;
    from = s.target;
  }
  return 0;
}

/** A staircase: from `start` up by `step` every `every` ms until `max` (each step ramps over 1 s). */
export function staircase(start: number, step: number, everyMs: number, max: number): Stage[] {
  const stages: Stage[] = [{ durationMs: everyMs, target: start }];
  for (let rate = start + step; rate <= max; rate += step) {
    stages.push({ durationMs: 1000, target: rate }, { durationMs: everyMs - 1000, target: rate });
  }
  return stages;
}

/**
 * Turns a rate into whole arrivals: call `take(now)` often; it returns how many arrivals are due
 * since the last call (fractions carry over, so the long-run count matches the integral).
 */
export class Pacer {
  private due = 0;
  private last: number;

  constructor(
    private readonly rate: (elapsedMs: number) => number,
    private readonly start: number,
  ) {
    this.last = start;
  }

  take(now: number): number {
    const dt = now - this.last;
    if (dt <= 0) return 0;
    // Trapezoid: exact for the linear ramps of a stage.
    const r = (this.rate(this.last - this.start) + this.rate(now - this.start)) / 2;
    this.last = now;
    this.due += (r * dt) / 1000;
    const n = Math.floor(this.due);
    this.due -= n;
    return n;
  }
}
