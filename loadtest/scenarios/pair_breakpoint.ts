/**
 * pair_breakpoint: the arrival rate climbs a staircase (START_RATE, +STEP every STEP_EVERY, up to
 * MAX_RATE) until a VU sees the service level broken for 3 s in a row — time to match p95 over
 * SLO_MS, or arrivals with no idle user left to send — and the `overload` threshold ends the run.
 * The runner reads the highest sustained pairs/s from the server's counter.
 *
 * The cycle is the leanest a pair can cost the load generator: no `ready`, one line each way to
 * agree who ends (READY=1 and CHAT=1 make it the full `pairing` cycle).
 */
import { runCycle } from '../lib/conversation.ts';
import { ms, num, share, targets } from '../lib/env.ts';
import { buildOptions, CORRECT, perVu, STOP_ON_OVERLOAD, vuIndex } from '../lib/options.ts';
import { type Stage, staircase, totalMs } from '../lib/schedule.ts';

export interface BreakpointParams {
  targets: string[];
  vus: number;
  users: number;
  openRate: number;
  /** Arrivals (enqueues) per second: the staircase. */
  stages: Stage[];
  ready: boolean;
  chat: number;
  sloMs: number;
  drainMs: number;
  interests: string[];
}

export const params = (): BreakpointParams => ({
  targets: targets(),
  vus: num('VUS', 4),
  users: num('USERS', 4000),
  openRate: num('OPEN_RATE', 2000),
  stages: staircase(num('START_RATE', 500), num('STEP', 500), ms('STEP_EVERY', '10s'), num('MAX_RATE', 20_000)),
  ready: num('READY', 0) === 1,
  chat: num('CHAT', 0),
  sloMs: num('SLO_MS', 250),
  drainMs: ms('DRAIN', '5s'),
  interests: [],
});

const P = params();

export const options = buildOptions(
  { pair_breakpoint: perVu(P.vus, (P.users / P.openRate) * 1000 + totalMs(P.stages) + P.drainMs + 30_000) },
  { ...CORRECT, ...STOP_ON_OVERLOAD },
);

export default function (): void {
  breakpoint(P);
}

export function breakpoint(p: BreakpointParams): void {
  const i = vuIndex();
  const perVu = (rate: number) => rate / p.vus;
  runCycle(
    {
      targets: p.targets,
      users: share(p.users, p.vus, i + 1),
      openRate: p.openRate / p.vus,
      stages: p.stages.map((s) => ({ durationMs: s.durationMs, target: perVu(s.target) })),
      startRate: perVu(p.stages[0]?.target ?? 0),
      ready: p.ready,
      chat: p.chat,
      reconnectEvery: 0,
      drainMs: p.drainMs,
      interests: p.interests,
      guard: { sloMs: p.sloMs, maxFailure: 0.01, strikes: 3, minAttempts: 5 },
    },
    i,
  );
}
