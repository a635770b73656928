/**
 * idle_capacity: USERS sockets open (OPEN_RATE per second), each with its actor, and stay idle for
 * HOLD, pinging every 10 s as a silent client must. The runner reads the server's RSS (from
 * /proc) and JavaScript heap (from /metrics) before and on the plateau: memory per connected user.
 */
import type { Behaviour } from '../lib/client.ts';
import { Crowd } from '../lib/crowd.ts';
import { ms, num, share, targets } from '../lib/env.ts';
import { connects, timeToHello } from '../lib/metrics.ts';
import { buildOptions, CORRECT, perVu, vuIndex } from '../lib/options.ts';

export interface IdleParams {
  targets: string[];
  vus: number;
  users: number;
  openRate: number;
  holdMs: number;
}

export const params = (): IdleParams => ({
  targets: targets(),
  vus: num('VUS', 4),
  users: num('USERS', 5000),
  openRate: num('OPEN_RATE', 1000),
  holdMs: ms('HOLD', '30s'),
});

const P = params();

export const options = buildOptions(
  { idle_capacity: perVu(P.vus, (P.users / P.openRate) * 1000 + P.holdMs + 30_000) },
  { ...CORRECT, connect_errors: ['count==0'] },
);

export default function (): void {
  idleCapacity(P);
}

export function idleCapacity(p: IdleParams): void {
  const i = vuIndex();
  const behaviour: Behaviour<null> = {
    onFrame(user, frame, at) {
      if (frame.type !== 'hello') return;
      connects.add(1);
      timeToHello.add(at - user.createdAt);
    },
  };
  const crowd = new Crowd<null>({ targets: p.targets, offset: i, behaviour, data: () => null });
  crowd.open(share(p.users, p.vus, i + 1), p.openRate / p.vus, () => {
    const end = Date.now() + p.holdMs;
    crowd.every(250, () => {
      if (Date.now() >= end) crowd.stop();
    });
  });
}
