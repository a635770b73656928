/**
 * Ceiling (k6 side): SOCKETS sockets over VUS VUs, each keeping one frame in flight against the
 * bare echo for DURATION after a short warm-up; `echo_round_trips` counts the round trips inside
 * the measured window. The frame is the size of a relayed chat line.
 */
import exec from 'k6/execution';
import { Counter } from 'k6/metrics';
import { clearInterval, setInterval } from 'k6/timers';
import { WebSocket } from 'k6/websockets';
import { ms, num, share, str } from '../lib/env.ts';
import { buildOptions, perVu } from '../lib/options.ts';

const roundTrips = new Counter('echo_round_trips');
const TARGET = str('TARGET', 'ws://127.0.0.1:3001/');
const VUS = num('VUS', 4);
const SOCKETS = num('SOCKETS', 400);
const WARMUP_MS = ms('WARMUP', '1s');
const DURATION_MS = ms('DURATION', '5s');
const FRAME = JSON.stringify({ type: 'message', sessionId: 's_0123456789abcdef', text: 'p u_0123456789ab 0', at: 0 });

/** One long iteration per VU; no thresholds (it measures, it does not judge). */
export const options = buildOptions({ echo: perVu(VUS, WARMUP_MS + DURATION_MS + 30_000) }, {});

export default function (): void {
  const count = share(SOCKETS, VUS, exec.scenario.iterationInTest + 1);
  const start = Date.now();
  const from = start + WARMUP_MS;
  const until = from + DURATION_MS;
  let n = 0;
  const sockets: WebSocket[] = [];
  for (let i = 0; i < count; i++) {
    const ws = new WebSocket(TARGET);
    ws.onopen = () => ws.send(FRAME);
    ws.onmessage = () => {
      const now = Date.now();
      if (now >= from && now < until) n++;
      if (now < until) ws.send(FRAME);
    };
    sockets.push(ws);
  }
  const timer = setInterval(() => {
    if (Date.now() < until + 200) return;
    clearInterval(timer);
    roundTrips.add(n);
    for (const ws of sockets) ws.close();
  }, 100);
}
