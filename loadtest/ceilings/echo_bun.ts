/**
 * Ceiling (Bun side): what the Bun driver's own transport can do, as ceilings/echo.ts measures
 * k6's. SOCKETS Bun WebSocket clients in this one process, each keeping one chat-line-sized frame
 * in flight against the bare echo at TARGET; `echo_round_trips` counts the round trips inside
 * DURATION after WARMUP, written to SUMMARY in the shape of k6's summary export.
 */
import { writeFileSync } from 'node:fs';
import { ms, num, str } from '../drivers/env.ts';
import type { SummaryFile } from '../run/driver.ts';

const TARGET = str('TARGET', 'ws://127.0.0.1:3001/');
const SOCKETS = num('SOCKETS', 400);
const WARMUP_MS = ms('WARMUP', '1s');
const DURATION_MS = ms('DURATION', '5s');
const SUMMARY = str('SUMMARY', '');
const FRAME = JSON.stringify({ type: 'message', sessionId: 's_0123456789abcdef', text: 'churn 0', at: 0 });

const sockets = await Promise.all(
  Array.from(
    { length: SOCKETS },
    () =>
      new Promise<WebSocket>((resolve, reject) => {
        const ws = new WebSocket(TARGET);
        ws.onopen = () => resolve(ws);
        ws.onerror = () => reject(new Error(`could not connect to ${TARGET}`));
      }),
  ),
);
const from = performance.now() + WARMUP_MS;
const until = from + DURATION_MS;
let n = 0;
for (const ws of sockets) {
  ws.onmessage = () => {
    const now = performance.now();
    if (now >= from && now < until) n++;
    if (now < until) ws.send(FRAME);
  };
  ws.send(FRAME);
}
await Bun.sleep(until + 200 - performance.now());
for (const ws of sockets) ws.close();
const summary: SummaryFile = { metrics: { echo_round_trips: { count: n } } };
if (SUMMARY) writeFileSync(SUMMARY, `${JSON.stringify(summary)}\n`);
process.exit(0);
