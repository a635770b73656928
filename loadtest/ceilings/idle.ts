/**
 * Ceiling (k6 side) for memory: SOCKETS idle sockets opened at OPEN_RATE against the bare echo,
 * held for HOLD, then closed. The runner reads the echo server's RSS meanwhile: what a connected
 * socket costs Bun with nothing of ours on it.
 */
import exec from 'k6/execution';
import { clearInterval, setInterval } from 'k6/timers';
import { WebSocket } from 'k6/websockets';
import { ms, num, share, str } from '../lib/env.ts';
import { buildOptions, perVu } from '../lib/options.ts';

const TARGET = str('TARGET', 'ws://127.0.0.1:3001/');
const VUS = num('VUS', 4);
const SOCKETS = num('SOCKETS', 1000);
const OPEN_RATE = num('OPEN_RATE', 1000);
const HOLD_MS = ms('HOLD', '5s');

/** One long iteration per VU; every socket must have opened. */
export const options = buildOptions(
  { idle: perVu(VUS, (SOCKETS / OPEN_RATE) * 1000 + HOLD_MS + 30_000) },
  { ws_sessions: [`count>=${SOCKETS}`] },
);

export default function (): void {
  const count = share(SOCKETS, VUS, exec.scenario.iterationInTest + 1);
  const perMs = OPEN_RATE / VUS / 1000;
  const start = Date.now();
  const sockets: WebSocket[] = [];
  let openedAll = 0;
  const timer = setInterval(() => {
    const now = Date.now();
    while (sockets.length < Math.min(count, Math.ceil((now - start) * perMs))) sockets.push(new WebSocket(TARGET));
    if (sockets.length >= count && openedAll === 0) openedAll = now;
    if (openedAll > 0 && now - openedAll >= HOLD_MS) {
      clearInterval(timer);
      for (const ws of sockets) ws.close();
    }
  }, 20);
}
