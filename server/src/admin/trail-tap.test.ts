import { expect, test } from 'bun:test';
import { TrailTap } from './trail-tap.ts';

test('frames in and out and socket closes land in the user trail; pings, pongs and stats do not', () => {
  let t = 1_000;
  const tap = new TrailTap(() => t++);
  tap.frameIn('u_1', 'ping');
  tap.frameIn('u_1', 'enqueue');
  tap.frameIn('u_1', null);
  tap.frameOut('u_1', 'pong', 1);
  tap.frameOut('u_1', 'waiting', 1);
  tap.frameOut('u_1', 'stats', 1);
  tap.frameOut(null, 'stats', 5);
  tap.frameOut('u_2', 'waiting', 1);
  tap.socketClosed('u_1', 'heartbeat timeout');
  tap.socketClosed('u_1', 'socket closed');
  expect(tap.entries('u_1').map((e) => e.type)).toEqual([
    '✕ socket closed',
    '✕ heartbeat timeout',
    '← waiting',
    '→ enqueue',
  ]);
  expect(tap.entries('u_2').map((e) => e.type)).toEqual(['← waiting']);
});

test('a released user leaves no trail behind', () => {
  const tap = new TrailTap(() => 1);
  tap.frameIn('u_1', 'enqueue');
  tap.released('u_1');
  expect(tap.entries('u_1')).toEqual([]);
});
