/**
 * smoke: every scenario's code at a low rate, at once, in about ten seconds — so the scripts cannot
 * rot — with thresholds on errors and on pairing. Each queueing scenario names its own interest and
 * the runner sets INTEREST_FALLBACK_MS far beyond the run, so the three pools never mix (a churn
 * user skipping a pairing user would be a wrong `peerLeft` reason for the pairing cycle). `bun scripts/test.ts` runs it through the runner
 * (`bun run load smoke`), which also checks the stores afterwards: one PostgreSQL row per pair and
 * nothing left behind.
 */
import { targets } from '../lib/env.ts';
import { buildOptions, perVu } from '../lib/options.ts';
import { staircase } from '../lib/schedule.ts';
import { churn, params as churnParams } from './churn.ts';
import { connectStorm, params as stormParams } from './connect_storm.ts';
import { idleCapacity, params as idleParams } from './idle_capacity.ts';
import { breakpoint, params as breakpointParams } from './pair_breakpoint.ts';
import { pairing, params as pairingParams } from './pairing.ts';

const T = targets();
const RUN_MS = 8000;
const DRAIN_MS = 3000;

const cycle = { ...pairingParams(), targets: T, vus: 1, users: 80, openRate: 300, rate: 30, durationMs: RUN_MS };

const P = {
  // The soak's cycle: reconnecting every few sessions, so actors come and go.
  pairing: { ...cycle, ready: true, chat: 1, reconnectEvery: 3, drainMs: DRAIN_MS, interests: ['pairing'] },
  breakpoint: {
    ...breakpointParams(),
    targets: T,
    vus: 1,
    users: 80,
    openRate: 300,
    stages: staircase(20, 20, 3000, 40),
    // At 20–40 arrivals/s an arrival that finds the queue empty waits 25–50 ms for the next one.
    sloMs: 2000,
    drainMs: DRAIN_MS,
    interests: ['breakpoint'],
  },
  churn: {
    ...churnParams(),
    targets: T,
    vus: 1,
    users: 20,
    openRate: 200,
    durationMs: RUN_MS,
    skipMinMs: 1000,
    skipMaxMs: 2500,
    chatMinMs: 200,
    chatMaxMs: 500,
    drainMs: DRAIN_MS,
    interests: ['churn'],
  },
  storm: { ...stormParams(), targets: T, vus: 1, stages: staircase(10, 10, 3000, 20), holdMs: 500 },
  idle: { ...idleParams(), targets: T, vus: 1, users: 50, openRate: 100, holdMs: 4000 },
};

const MAX_MS = RUN_MS + DRAIN_MS + 10_000;

export const options = buildOptions(
  {
    smoke_pairing: perVu(1, MAX_MS, 'smokePairing'),
    smoke_breakpoint: perVu(1, MAX_MS, 'smokeBreakpoint'),
    smoke_churn: perVu(1, MAX_MS, 'smokeChurn'),
    smoke_storm: perVu(1, MAX_MS, 'smokeStorm'),
    smoke_idle: perVu(1, MAX_MS, 'smokeIdle'),
  },
  {
    protocol_errors: ['count==0'],
    connect_errors: ['count==0'],
    overload: ['count==0'],
    // 30 arrivals/s for 8 s is 120 pairs, the staircase ~75: these floors hold on a busy machine
    // too (dropped arrivals, which only say a tiny pool was busy, are not a smoke failure).
    'pairs{scenario:smoke_pairing}': ['count>=40'],
    'pairs{scenario:smoke_breakpoint}': ['count>=25'],
    'pairs{scenario:smoke_churn}': ['count>=10'],
    // A trend with no samples has max 0, so `max>0` says the flow got that far.
    'time_to_connected{scenario:smoke_pairing}': ['max>0', 'p(95)<2000'],
    'message_rtt{scenario:smoke_pairing}': ['max>0', 'p(95)<2000'],
    'message_rtt{scenario:smoke_churn}': ['max>0'],
    'connects{scenario:smoke_storm}': ['count>=60'],
    'connects{scenario:smoke_idle}': ['count==50'],
    time_to_match: ['p(95)<2000'],
  },
);

export function smokePairing(): void {
  pairing(P.pairing);
}

export function smokeBreakpoint(): void {
  breakpoint(P.breakpoint);
}

export function smokeChurn(): void {
  churn(P.churn);
}

export function smokeStorm(): void {
  connectStorm(P.storm);
}

export function smokeIdle(): void {
  idleCapacity(P.idle);
}
