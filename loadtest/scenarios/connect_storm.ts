/**
 * connect_storm: new connections per second climb a staircase (START_RATE, +STEP every STEP_EVERY,
 * up to MAX_RATE); each socket waits for `hello` (its actor exists then), holds HOLD and closes.
 * Connect errors, a `hello` slower than CONNECT_TIMEOUT, or time to `hello` p95 over SLO_MS for
 * 3 s in a row end the run (`overload`). The runner reads the highest sustained rate of `hello`s.
 */
import type { Behaviour, User } from '../lib/client.ts';
import { Crowd } from '../lib/crowd.ts';
import { ms, num, targets } from '../lib/env.ts';
import { Guard } from '../lib/guard.ts';
import { connectErrors, connects, timeToHello } from '../lib/metrics.ts';
import { buildOptions, CORRECT, perVu, STOP_ON_OVERLOAD, vuIndex } from '../lib/options.ts';
import { Pacer, rateAt, type Stage, staircase, totalMs } from '../lib/schedule.ts';

export interface StormParams {
  targets: string[];
  vus: number;
  /** Connections per second (all VUs together). */
  stages: Stage[];
  holdMs: number;
  connectTimeoutMs: number;
  sloMs: number;
}

export const params = (): StormParams => ({
  targets: targets(),
  vus: num('VUS', 4),
  stages: staircase(num('START_RATE', 200), num('STEP', 200), ms('STEP_EVERY', '5s'), num('MAX_RATE', 10_000)),
  holdMs: ms('HOLD', '1s'),
  connectTimeoutMs: ms('CONNECT_TIMEOUT', '5s'),
  sloMs: num('SLO_MS', 500),
});

const P = params();

export const options = buildOptions(
  { connect_storm: perVu(P.vus, totalMs(P.stages) + P.holdMs + P.connectTimeoutMs + 30_000) },
  { ...CORRECT, ...STOP_ON_OVERLOAD },
);

export default function (): void {
  connectStorm(P);
}

interface Conn {
  helloAt: number;
  settled: boolean;
}

export function connectStorm(p: StormParams): void {
  const i = vuIndex();
  // Sockets in the order they were opened, and in the order they said hello (the hold is fixed).
  const pending: User<Conn>[] = [];
  const holding: User<Conn>[] = [];
  const settle = (user: User<Conn>, ok: boolean) => {
    if (user.data.settled) return;
    user.data.settled = true;
    guard.attempt(ok);
  };
  const behaviour: Behaviour<Conn> = {
    onFrame(user, frame, at) {
      if (frame.type !== 'hello') return;
      const t = at - user.createdAt;
      user.data.helloAt = at;
      connects.add(1);
      timeToHello.add(t);
      guard.latency(t);
      settle(user, true);
      holding.push(user);
    },
    onClose: (user) => settle(user, user.data.helloAt > 0),
  };
  const crowd = new Crowd<Conn>({
    targets: p.targets,
    offset: i,
    behaviour,
    data: () => ({ helloAt: 0, settled: false }),
  });
  const guard = new Guard({ sloMs: p.sloMs, maxFailure: 0.01, strikes: 3, minAttempts: 5 }, (fn) =>
    crowd.every(1000, fn),
  );
  const perVuStages = p.stages.map((s) => ({ durationMs: s.durationMs, target: s.target / p.vus }));
  const start = Date.now();
  const pacer = new Pacer((t) => rateAt(perVuStages, perVuStages[0]?.target ?? 0, t), start);
  const end = start + totalMs(p.stages);
  let stopping = false;
  crowd.every(5, () => {
    const now = Date.now();
    if (!stopping && (now >= end || guard.tripped)) stopping = true;
    if (!stopping) for (let n = pacer.take(now); n > 0; n--) pending.push(crowd.add());
    while (holding.length > 0 && (holding[0]?.data.helloAt ?? 0) + p.holdMs <= now) {
      const user = holding.shift();
      if (user) crowd.remove(user);
    }
    while (pending.length > 0) {
      const user = pending[0];
      if (!user || user.data.settled) pending.shift();
      else if (now - user.createdAt > p.connectTimeoutMs) {
        pending.shift();
        connectErrors.add(1, { reason: 'hello timeout' });
        settle(user, false);
        crowd.remove(user);
      } else break;
    }
    if (stopping && crowd.users.size === 0) crowd.stop();
  });
}
