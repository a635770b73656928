import { expect, test } from 'bun:test';
import { sessionEvents } from './events.ts';

test('session events are logged with user and session ids', () => {
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
  events.tap.released('u_a', 'c_1');
  expect(lines).toEqual([
    [{ sessionId: 's_1', userId: 'u_b', partnerId: 'u_a', mode: 'text' }, 'session started'],
    [{ sessionId: 's_1', userId: 'u_b', partnerId: 'u_a', reason: 'skip', durationMs: 3000 }, 'session closed'],
    [{ userId: 'u_a', conn: 'c_1' }, 'user disconnected'],
  ]);
});
