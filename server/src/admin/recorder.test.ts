import { expect, test } from 'bun:test';
import type { ServerFrame } from '../protocol.ts';
import { FrameTrails } from './recorder.ts';
import type { Trail } from './trail.ts';

test('frames in and out and socket closes land in the user trail; pings, pongs and stats do not', () => {
  const holder: { trail?: Trail } = {};
  let t = 1_000;
  const trails = new FrameTrails(
    (userId) => (userId === 'u_1' ? holder : undefined),
    () => t++,
  );
  const sent: string[] = [];
  const out = trails.outbox({
    send: (u, f) => sent.push(`${u} ${f.type}`),
    closeSocket: (u, code) => sent.push(`${u} close ${code}`),
    release: () => {},
  });
  trails.frameIn(holder, 'ping');
  trails.frameIn(holder, 'enqueue');
  out.send('u_1', { type: 'pong' });
  out.send('u_1', { type: 'waiting', since: 1 });
  out.send('u_1', { type: 'stats', online: 1, waiting: 1 } as ServerFrame);
  out.send('u_2', { type: 'waiting', since: 1 });
  out.closeSocket('u_1', 4000, 'heartbeat timeout');
  trails.socketClosed(holder);
  expect(holder.trail?.entries().map((e) => e.type)).toEqual([
    '✕ socket closed',
    '✕ heartbeat timeout',
    '← waiting',
    '→ enqueue',
  ]);
  expect(sent).toEqual(['u_1 pong', 'u_1 waiting', 'u_1 stats', 'u_2 waiting', 'u_1 close 4000']);
});
