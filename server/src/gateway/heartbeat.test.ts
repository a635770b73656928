import { expect, test } from 'bun:test';
import { createActor, createMachine } from 'xstate';
import { openDoor } from '../../test/support/fakes.ts';
import { loadConfig } from '../config.ts';
import { ResumeTokens } from '../identity/resume.ts';
import { Gateway } from './gateway.ts';
import { Limiter } from './limiter.ts';
import { type Connection, Registry, type SocketData } from './registry.ts';

const limits = { framesPerSecond: 10, frameBurst: 10, abuseThreshold: 10, sendBufferBytes: 1 << 20 };

test('the heartbeat sweep asks only users silent for the timeout, and only those with a socket', () => {
  const noTap = { frameIn() {}, frameOut() {}, socketClosed() {}, released() {} };
  const registry = new Registry(noTap);
  const gateway = new Gateway({
    machine: createMachine({}),
    registry,
    tokens: new ResumeTokens('s', 1000),
    handover: null,
    ...openDoor(),
    config: { limits, allowedOrigins: null, timers: loadConfig({}).timers, instanceId: 'h' },
    tap: noTap,
    video: () => false,
    counts: () => ({ online: 0, waiting: 0 }),
    now: () => 0,
    log: { warn() {}, error() {} },
  });
  const asked: string[] = [];
  const user = (userId: string, lastFrameAt: number, socket: boolean): Connection => {
    const actor = createActor(createMachine({}));
    actor.send = (e: { type: string }) => {
      asked.push(`${userId}:${e.type}`);
    };
    const ws = socket ? ({ data: {} } as unknown as Bun.ServerWebSocket<SocketData>) : null;
    return { userId, conn: `c${userId}`, actor, ws, limiter: new Limiter(limits, 0), lastFrameAt };
  };
  registry.add(user('quiet', 1_000, true));
  registry.add(user('chatty', 25_000, true));
  registry.add(user('suspended', 0, false));
  gateway.checkHeartbeats(30_999, 30_000);
  expect(asked).toEqual([]);
  gateway.checkHeartbeats(31_000, 30_000);
  expect(asked).toEqual(['quiet:heartbeat.check']);
});
