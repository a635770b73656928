/**
 * The gateway with real session actors (bound to the in-memory matcher) on fake sockets: what one
 * user's actor does must never reach the instance or other users, and actors that come and go
 * must leave nothing behind.
 */
import { expect, test } from 'bun:test';
import type { ServerWebSocket } from 'bun';
import { type AnyStateMachine, createMachine } from 'xstate';
import { NO_LIMITS, openDoor, openModeration, quietMetrics } from '../../test/support/fakes.ts';
import { MemoryMatcher } from '../adapters/memory/matcher.ts';
import { loadConfig } from '../config.ts';
import { ResumeTokens } from '../identity/resume.ts';
import type { ServerFrame } from '../protocol.ts';
import { bindSessionMachine } from '../session/effects.ts';
import { Gateway } from './gateway.ts';
import { Registry, type SocketData } from './registry.ts';

const limits = { framesPerSecond: 1000, frameBurst: 1000, abuseThreshold: 10, sendBufferBytes: 1 << 20 };
/** The protocol's timers: the defaults the server runs with. */
const timers = loadConfig({}).timers;

interface FakeSocket {
  ws: ServerWebSocket<SocketData>;
  frames: ServerFrame[];
  closed: number | null;
}

function rig(machine?: (registry: Registry) => AnyStateMachine) {
  const metrics = quietMetrics('g');
  const registry = new Registry(metrics);
  const matcher = new MemoryMatcher({
    journal: { push() {} },
    limits: NO_LIMITS,
    deliver: registry.deliver,
    instanceId: 'g',
    ...timers,
  });
  const bound = bindSessionMachine({
    matcher,
    relay: matcher,
    media: { available: () => false, grant: () => null, closeRoom: () => {} },
    moderation: openModeration(),
    timers,
    out: registry,
    newSessionId: () => crypto.randomUUID(),
    lastFrameAt: registry.lastFrameAt,
    now: Date.now,
    onMatch: () => {},
    onError: () => {},
  });
  const errors: string[] = [];
  const gateway = new Gateway({
    machine: machine ? machine(registry) : bound,
    registry,
    tokens: new ResumeTokens('secret', 60_000),
    handover: null,
    ...openDoor(),
    config: { limits, allowedOrigins: null, timers, instanceId: 'g' },
    tap: metrics,
    video: () => false,
    counts: () => ({ online: 0, waiting: 0 }),
    now: Date.now,
    log: { warn() {}, error: (_o, msg) => errors.push(msg) },
  });
  const h = gateway.handlers();
  const connect = (): FakeSocket => {
    const sock: FakeSocket = { ws: undefined as unknown as ServerWebSocket<SocketData>, frames: [], closed: null };
    sock.ws = {
      data: { rec: null, resume: null, device: `d_${crypto.randomUUID()}`, ipHash: 'a_test', admitted: false },
      send: (text: string) => {
        sock.frames.push(JSON.parse(text) as ServerFrame);
        return text.length;
      },
      subscribe: () => {},
      cork: (fn: () => unknown) => fn(),
      close: (code = 1000) => {
        sock.closed = code;
      },
    } as unknown as ServerWebSocket<SocketData>;
    h.open?.(sock.ws);
    return sock;
  };
  const say = (sock: FakeSocket, frame: object) => h.message?.(sock.ws, JSON.stringify(frame));
  const hangUp = (sock: FakeSocket) => h.close?.(sock.ws, 1000, '');
  return { registry, metrics, connect, say, hangUp, errors };
}

const settle = () => new Promise((r) => setTimeout(r, 20));

test("a user's actor that fails closes that user's socket alone; the instance and other users go on", async () => {
  // A machine whose `ping` handler throws stands in for any bug in an action.
  const t = rig(() =>
    createMachine({
      on: {
        'client.ping': {
          actions: () => {
            throw new Error('bug in an action');
          },
        },
      },
    }),
  );
  const victim = t.connect();
  const other = t.connect();
  t.say(victim, { type: 'ping' });
  await settle(); // XState reports an unhandled error from a timer: it would fail this test
  expect(victim.closed).toBe(1011);
  expect(t.errors).toEqual(['session actor failed']);
  expect(t.registry.size).toBe(1);
  const late = t.connect();
  expect(late.frames[0]?.type).toBe('hello');
  expect(other.closed).toBeNull();
  expect(t.registry.size).toBe(2);
  t.metrics.stop();
});

test('connections that come and go leave no memory behind (actors, registry, the instance actor)', async () => {
  const t = rig();
  const lifecycles = async (n: number) => {
    for (let i = 0; i < n; i++) {
      const sock = t.connect();
      t.say(sock, { type: 'enqueue', mode: 'text', interests: [] });
      t.say(sock, { type: 'cancel' });
      t.hangUp(sock);
    }
    await settle();
  };
  await lifecycles(5_000); // warm-up: JIT, interned strings, map capacity
  Bun.gc(true);
  const before = process.memoryUsage().heapUsed;
  await lifecycles(50_000);
  Bun.gc(true);
  const grown = process.memoryUsage().heapUsed - before;
  expect(t.registry.size).toBe(0);
  // A leak of even 40 bytes per lifecycle would be 2 MB here (one actor id per lifecycle was ~110).
  expect(grown).toBeLessThan(2_000_000);
  t.metrics.stop();
});

test('chat between two users here goes socket to socket, as the actors would relay it; stale or unpaired chat gets the actors’ answer', async () => {
  const t = rig();
  const a = t.connect();
  const b = t.connect();
  t.say(a, { type: 'enqueue', mode: 'text' });
  t.say(b, { type: 'enqueue', mode: 'text' });
  await settle();
  const sid = (a.frames.find((f) => f.type === 'matched') as { sessionId: string }).sessionId;
  t.say(a, { type: 'message', sessionId: sid, text: 'hi' });
  t.say(b, { type: 'typing', sessionId: sid, typing: true });
  expect(b.frames.at(-1)).toMatchObject({ type: 'message', sessionId: sid, text: 'hi' });
  expect(a.frames.at(-1)).toEqual({ type: 'typing', sessionId: sid, typing: true });
  t.say(a, { type: 'message', sessionId: 'not-this-one', text: 'stale' });
  expect(a.frames.at(-1)).toMatchObject({ type: 'error', code: 'stale_session' });
  t.say(a, { type: 'skip', sessionId: sid });
  await settle();
  t.say(a, { type: 'message', sessionId: sid, text: 'too late' });
  expect(a.frames.at(-1)).toMatchObject({ type: 'error', code: 'stale_session' });
  expect(b.frames.some((f) => f.type === 'message' && f.text === 'too late')).toBe(false);
  t.metrics.stop();
});
