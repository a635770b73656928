/**
 * soak: the pairing cycle for a long time (default 60 min) at a steady rate — by default half the
 * arrival rate the latest `pair_breakpoint` run sustained (the runner reads it) — with users
 * reconnecting every few sessions so actors are created and destroyed all along. The runner
 * samples the server meanwhile (RSS and heap slope, p99 drift, actors = sockets, queue length) and
 * checks afterwards that PostgreSQL holds one row per pair and that everything is back to zero.
 *
 *   bun run load soak --duration 60m
 */
import { ms, num } from '../lib/env.ts';
import { buildOptions, CORRECT, perVu } from '../lib/options.ts';
import { maxMs, type PairingParams, pairing, params as pairingParams } from './pairing.ts';

export const params = (): PairingParams => ({
  ...pairingParams(),
  durationMs: ms('DURATION', '60m'),
  rate: num('RATE', 500),
  reconnectEvery: num('RECONNECT_EVERY', 20),
});

const P = params();

export const options = buildOptions({ soak: perVu(P.vus, maxMs(P)) }, { ...CORRECT, dropped_arrivals: ['count==0'] });

export default function (): void {
  pairing(P);
}
