/**
 * The Bun driver of `bun run load bun_churn` and `peer` (a child process of the runner, which
 * samples its CPU like k6's): CLIENTS users over Bun's WebSocket client, spread round-robin over
 * TARGETS and opened at OPEN_RATE per second, each looping the churn workload (churn.ts) over
 * WIRE — `serendip` (protocol v1, serendip-wire.ts, the default) or `omegle` (larrasket/omegle.lol,
 * omegle-wire.ts) — until UNTIL; samples count from MEASURE_FROM (both from this process's start).
 * Then every user leaves cleanly, so the runner's checks find the servers back to zero, and the
 * summary goes to SUMMARY in the shape of k6's summary export, with the measured window's edges
 * (`window_from`, `window_until`: ms since the epoch) so the runner can rate the count over it.
 *
 *   TARGETS=ws://127.0.0.1:3000/ws CLIENTS=1000 UNTIL=20s bun loadtest/drivers/bun-churn.ts
 *   WIRE=omegle TARGETS=ws://127.0.0.1:8080/ws CLIENTS=1000 UNTIL=30s bun loadtest/drivers/bun-churn.ts
 */
import { writeFileSync } from 'node:fs';
import type { SummaryFile } from '../run/driver.ts';
import { Churn } from './churn.ts';
import { ms, num, str, targets } from './env.ts';
import { omegleWire } from './omegle-wire.ts';
import { serendipWire } from './serendip-wire.ts';
import { Trend } from './trend.ts';
import type { Wire } from './wire.ts';

/** The wires a run may choose (WIRE). */
const WIRES: Record<string, Wire> = { serendip: serendipWire, omegle: omegleWire };

const CLIENTS = num('CLIENTS', 1000);
const OPEN_RATE = num('OPEN_RATE', 2000);
const MEASURE_FROM_MS = ms('MEASURE_FROM', '2s');
const UNTIL_MS = ms('UNTIL', '20s');
const SUMMARY = str('SUMMARY', '');
const TARGETS = targets();
const wire = WIRES[str('WIRE', 'serendip')];
if (!wire) throw new Error(`WIRE must be one of ${Object.keys(WIRES).join(', ')}, got "${process.env.WIRE}"`);

const started = performance.now();
const at = (msFromStart: number) => Bun.sleep(Math.max(0, started + msFromStart - performance.now()));

/**
 * How late this process's timers fire: when it grows, the driver, not the server, is behind (the
 * Bun driver's `client_lag`; k6 measures its own differently).
 */
function lagProbe(trend: Trend): () => void {
  const everyMs = 100;
  let due = performance.now() + everyMs;
  const timer = setInterval(() => {
    const now = performance.now();
    trend.add(now - due);
    due = now + everyMs;
  }, everyMs);
  return () => clearInterval(timer);
}

const churn = new Churn();
const lag = new Trend();
const stopLag = lagProbe(lag);
console.log(`bun-churn: ${CLIENTS} clients over ${wire.name} on ${TARGETS.length} target(s)`);

// Sockets open on a schedule, not all at once: a burst of upgrades would measure the burst.
const joins: Promise<void>[] = [];
for (let i = 0; i < CLIENTS; i++) {
  if (i % 50 === 0) await at((i / OPEN_RATE) * 1000);
  const target = TARGETS[i % TARGETS.length] ?? '';
  joins.push(churn.join(wire, target, i).catch((e: Error) => churn.fault('connect', e.message)));
}
await Promise.all(joins);
console.log(`bun-churn: ${CLIENTS} opened in ${((performance.now() - started) / 1000).toFixed(1)} s`);

await at(MEASURE_FROM_MS);
churn.measuring = true;
const windowFrom = Date.now();
const progress = setInterval(() => {
  const t = ((performance.now() - started) / 1000).toFixed(0);
  console.log(`bun-churn: t=${t} s  pairs ${churn.pairs}  faults ${churn.faultCount}`);
}, 5000);
await at(UNTIL_MS);
churn.measuring = false;
const windowUntil = Date.now();
clearInterval(progress);
stopLag();
await churn.stop();

const summary: SummaryFile = {
  metrics: {
    time_to_match: churn.timeToMatch.summary(),
    pairs: { count: churn.pairs },
    chat_lines: { count: churn.lines },
    skips: { count: churn.skips },
    protocol_errors: { count: churn.faultCount },
    client_lag: lag.summary(),
    window_from: { value: windowFrom },
    window_until: { value: windowUntil },
  },
};
// The races the wire absorbed (whole run): expected, and worth knowing how often.
for (const [kind, count] of Object.entries(wire.counters?.() ?? {})) summary.metrics[`wire_${kind}`] = { count };
if (SUMMARY) writeFileSync(SUMMARY, `${JSON.stringify(summary, null, 1)}\n`);
const ttm = summary.metrics.time_to_match;
console.log(
  `bun-churn: ${churn.pairs} pairs measured, time to match p50 ${ttm?.med?.toFixed(1)} ms p99 ${ttm?.['p(99)']?.toFixed(1)} ms, ${churn.faultCount} faults`,
);
process.exit(0);
