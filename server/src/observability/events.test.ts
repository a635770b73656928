import { expect, test } from 'bun:test';
import { sessionEvents } from './events.ts';

test('session events are logged with user and session ids, and the outbox still works', () => {
  const lines: [object, string][] = [];
  const events = sessionEvents({ info: (obj, msg) => lines.push([obj, msg]) });
  events.started({ sessionId: 's_1', userA: 'u_a', userB: 'u_b', mode: 'text', startedAt: 1 });
  events.closed({
    sessionId: 's_1',
    userA: 'u_a',
    userB: 'u_b',
    mode: 'text',
    startedAt: 1000,
    endedAt: 4000,
    endedBy: 'u_b',
    reason: 'skip',
  });
  const calls: string[] = [];
  const out = events.outbox({
    send: (u, f) => calls.push(`send ${u} ${f.type}`),
    closeSocket: (u, code) => calls.push(`close ${u} ${code}`),
    release: (u, c) => calls.push(`release ${u} ${c}`),
  });
  out.send('u_a', { type: 'idle' });
  out.closeSocket('u_a', 4000, 'heartbeat timeout');
  out.release('u_a', 'c_1');
  expect(calls).toEqual(['send u_a idle', 'close u_a 4000', 'release u_a c_1']);
  expect(lines).toEqual([
    [{ sessionId: 's_1', userId: 'u_b', partnerId: 'u_a', mode: 'text' }, 'session started'],
    [{ sessionId: 's_1', userId: 'u_b', partnerId: 'u_a', reason: 'skip', durationMs: 3000 }, 'session closed'],
    [{ userId: 'u_a', conn: 'c_1' }, 'user disconnected'],
  ]);
});
