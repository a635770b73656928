/**
 * The machine's timers on a real actor, bound with fake ports and driven by a simulated clock:
 * ready timeout, heartbeat, resume grace, and the claim retry while queued.
 */
import { describe, expect, test } from 'bun:test';
import { createActor, SimulatedClock } from 'xstate';
import { openModeration } from '../../test/support/fakes.ts';
import type { ClaimResult } from '../ports.ts';
import { type LeaveReason, PROTOCOL_TIMERS, type ServerFrame } from '../protocol.ts';
import { bindSessionMachine } from './effects.ts';
import { protocolState } from './machine.ts';

const TIMERS = { ...PROTOCOL_TIMERS };

function rig(claims: ClaimResult[], firstClaimGate: Promise<void> = Promise.resolve()) {
  const clock = new SimulatedClock();
  const frames: ServerFrame[] = [];
  const calls: string[] = [];
  let lastFrameAt = 0;
  const machine = bindSessionMachine({
    matcher: {
      claim: async (t) => {
        calls.push(`claim@${clock.now()}`);
        if (t.closing) calls.push(`close:${t.closing.sessionId}:${t.closing.reason}`);
        if (calls.filter((c) => c.startsWith('claim')).length === 1) await firstClaimGate;
        return claims.shift() ?? { kind: 'queued', retryInMs: null };
      },
      ready: async () => ({ connected: false }),
      close: async (sid: string, _u: string, reason: LeaveReason) => {
        calls.push(`close:${sid}:${reason}`);
        return null;
      },
      leave: async (_u: string, _c: string, reason: LeaveReason) => {
        calls.push(`leave:${reason}`);
        return null;
      },
    },
    relay: { relay: () => {} },
    media: { available: () => false, grant: () => null, closeRoom: () => {} },
    moderation: openModeration(),
    timers: TIMERS,
    out: {
      send: (_u, f) => frames.push(f),
      closeSocket: (_u, code) => calls.push(`closeSocket:${code}`),
      release: () => calls.push('release'),
    },
    newSessionId: () => 's_new',
    lastFrameAt: () => lastFrameAt,
    now: () => clock.now(),
    onMatch: () => {},
    onError: () => {},
  });
  const actor = createActor(machine, { input: { userId: 'u1', conn: 'c1', device: 'd1', ipHash: 'a1' }, clock });
  actor.start();
  const state = () => protocolState(actor.getSnapshot().value);
  /** A client frame, as the gateway delivers it: it notes the time, then tells the actor. */
  const frame = (event: Parameters<typeof actor.send>[0]) => {
    lastFrameAt = clock.now();
    actor.send(event);
  };
  const flush = () => new Promise((r) => setTimeout(r, 0));
  const types = () => frames.map((f) => (f.type === 'error' ? `error:${f.code}` : f.type));
  return { clock, frames, calls, actor, state, flush, types, frame };
}

const matchedSession = {
  sessionId: 's1',
  mode: 'video' as const,
  partnerId: 'u2',
  partnerDevice: 'd2',
  partnerInstance: 'i',
  commonInterests: [],
  startedAt: 0,
};
const matched: ClaimResult = { kind: 'matched', formed: true, session: matchedSession };

describe('session timers (simulated clock)', () => {
  test('a matched session not ready within readyTimeout ends with peerLeft timeout and re-queues', async () => {
    const r = rig([matched]);
    r.frame({ type: 'client.enqueue', mode: 'video', interests: [] });
    await r.flush();
    expect(r.state()).toBe('matched');
    r.clock.increment(19_999);
    expect(r.state()).toBe('matched');
    r.frame({ type: 'client.ping' });
    r.clock.increment(1);
    await r.flush();
    expect(r.types()).toEqual(['waiting', 'matched', 'pong', 'peerLeft', 'waiting']);
    expect(r.frames[3]).toEqual({ type: 'peerLeft', sessionId: 's1', reason: 'timeout' });
    expect(r.calls).toContain('close:s1:timeout');
    expect(r.state()).toBe('waiting');
  });

  test('both ready in time: no timeout', async () => {
    const r = rig([matched]);
    r.frame({ type: 'client.enqueue', mode: 'video', interests: [] });
    await r.flush();
    r.actor.send({ type: 'session.connected', sessionId: 's1' });
    r.clock.increment(25_000);
    await r.flush();
    expect(r.state()).toBe('inCall');
    expect(r.calls.filter((c) => c.startsWith('close'))).toEqual([]);
  });

  test('a heartbeat check disconnects only a user silent for the heartbeat timeout, with 4000', async () => {
    const r = rig([]);
    r.clock.increment(29_000);
    r.frame({ type: 'client.ping' });
    r.clock.increment(29_999);
    r.actor.send({ type: 'heartbeat.check' });
    expect(r.state()).toBe('idle');
    r.frame({ type: 'client.enqueue', mode: 'text', interests: [] });
    await r.flush();
    r.clock.increment(29_999);
    r.actor.send({ type: 'heartbeat.check' });
    expect(r.state()).toBe('waiting');
    r.clock.increment(1);
    r.actor.send({ type: 'heartbeat.check' });
    await r.flush();
    expect(r.state()).toBe('disconnected');
    expect(r.calls).toEqual(expect.arrayContaining(['closeSocket:4000', 'leave:disconnect', 'release']));
    expect(r.actor.getSnapshot().status).toBe('done');
  });

  test('an idle user holds no timer at all', () => {
    const r = rig([]);
    r.clock.increment(10 * 60_000);
    expect(r.state()).toBe('idle');
    expect(r.calls).toEqual([]);
  });

  test('a closed socket in a session is held for the resume grace, then leaves as disconnect', async () => {
    const r = rig([matched]);
    r.frame({ type: 'client.enqueue', mode: 'video', interests: [] });
    await r.flush();
    r.actor.send({ type: 'socket.closed' });
    r.clock.increment(9_999);
    expect(r.state()).toBe('suspended');
    r.actor.send({ type: 'socket.resumed' });
    expect(r.state()).toBe('matched');
    expect(r.types().filter((t) => t === 'matched')).toHaveLength(2);
    r.actor.send({ type: 'socket.closed' });
    r.clock.increment(10_000);
    expect(r.state()).toBe('disconnected');
    expect(r.calls).toContain('leave:disconnect');
    // The heartbeat does not run while the socket is gone.
    expect(r.calls).not.toContain('closeSocket:4000');
  });

  test('our own media left: re-queued after the settle time if the socket stays', async () => {
    const r = rig([matched]);
    r.actor.send({ type: 'client.enqueue', mode: 'video', interests: [] });
    await r.flush();
    r.actor.send({ type: 'media.left', sessionId: 's1' });
    r.clock.increment(1_499);
    expect(r.state()).toBe('mediaLost');
    r.clock.increment(1);
    await r.flush();
    expect(r.state()).toBe('waiting');
    expect(r.frames.slice(-2)).toEqual([
      { type: 'peerLeft', sessionId: 's1', reason: 'disconnect' },
      { type: 'waiting', since: 1_500 },
    ]);
  });

  test('our own media left and then the socket closed: gone, never queued again as a ghost', async () => {
    const r = rig([matched]);
    r.actor.send({ type: 'client.enqueue', mode: 'video', interests: [] });
    await r.flush();
    r.actor.send({ type: 'media.left', sessionId: 's1' });
    r.clock.increment(200);
    r.actor.send({ type: 'socket.closed' });
    r.clock.increment(5_000);
    await r.flush();
    expect(r.state()).toBe('disconnected');
    expect(r.types()).toEqual(['waiting', 'matched']);
    expect(r.calls.filter((c) => c.startsWith('claim'))).toEqual(['claim@0']);
  });

  test('a match taken from a wait the user has left (cancel, queue again) is not taken for the new wait', async () => {
    // Found by the k6 harness at 2,000 arrivals/s: the user re-queued, cancelled and queued again
    // while a claim took its first queue entry. Taking that match put it in a session its own
    // cancel had closed: it sat in `matched` until the ready timeout, and its new queue entry
    // paired someone it never heard of (that partner got peerLeft timeout or disconnect).
    const r = rig([]);
    r.frame({ type: 'client.enqueue', mode: 'video', interests: [] });
    await r.flush();
    r.frame({ type: 'client.cancel' });
    r.clock.increment(7);
    r.frame({ type: 'client.enqueue', mode: 'video', interests: [] });
    await r.flush();
    r.actor.send({ type: 'queue.matched', session: matchedSession, since: 0 });
    await r.flush();
    expect(r.state()).toBe('waiting');
    expect(r.types()).toEqual(['waiting', 'idle', 'waiting']);
    // The match of the wait it is in now is taken.
    r.actor.send({ type: 'queue.matched', session: matchedSession, since: 7 });
    expect(r.state()).toBe('matched');
    expect(r.types()).toEqual(['waiting', 'idle', 'waiting', 'matched']);
  });

  test('a partner leave that overtakes our own claim result is not mistaken for a live session', async () => {
    let release: () => void = () => {};
    const gate = new Promise<void>((r) => {
      release = r;
    });
    const r = rig([matched, { kind: 'queued', retryInMs: null }], gate);
    r.frame({ type: 'client.enqueue', mode: 'video', interests: [] });
    await r.flush();
    // The partner cancelled right after our claim took it: its leave reaches us first.
    r.actor.send({ type: 'peer.left', sessionId: 's1', reason: 'end' });
    release();
    await r.flush();
    await r.flush();
    expect(r.state()).toBe('waiting');
    expect(r.types()).toEqual(['waiting']);
    expect(r.calls.filter((c) => c.startsWith('claim'))).toEqual(['claim@0', 'claim@0']);
  });

  test('deferred: the claim is retried at the hinted time; queued without a hint, only on a recheck', async () => {
    const r = rig([
      { kind: 'queued', retryInMs: 5_000 },
      { kind: 'queued', retryInMs: null },
    ]);
    const claims = () => r.calls.filter((c) => c.startsWith('claim'));
    r.frame({ type: 'client.enqueue', mode: 'video', interests: ['cats'] });
    await r.flush();
    r.clock.increment(4_999);
    await r.flush();
    expect(claims()).toEqual(['claim@0']);
    r.frame({ type: 'client.ping' }); // keep the heartbeat quiet
    r.clock.increment(1);
    await r.flush();
    expect(claims()).toEqual(['claim@0', 'claim@5000']);
    // Queued with no hint: no timer at all; someone claiming us will say so.
    for (let i = 0; i < 4; i++) {
      r.frame({ type: 'client.ping' });
      r.clock.increment(20_000);
      await r.flush();
    }
    expect(claims()).toEqual(['claim@0', 'claim@5000']);
    r.actor.send({ type: 'queue.recheck' });
    await r.flush();
    expect(claims()).toEqual(['claim@0', 'claim@5000', 'claim@85000']);
    expect(r.types().filter((t) => t !== 'pong')).toEqual(['waiting']);
  });
});
