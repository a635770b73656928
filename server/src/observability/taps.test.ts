import { expect, test } from 'bun:test';
import { composeTaps } from './taps.ts';

test('every part sees what it watches, in order; parts may leave methods out', () => {
  const seen: string[] = [];
  const tap = composeTaps([
    { frameIn: (u, t) => seen.push(`a in ${u} ${t}`), released: (u, c) => seen.push(`a released ${u} ${c}`) },
    {
      frameIn: (u, t) => seen.push(`b in ${u} ${t}`),
      frameOut: (u, t, n) => seen.push(`b out ${u} ${t} ${n}`),
      socketClosed: (u, r) => seen.push(`b closed ${u} ${r}`),
    },
  ]);
  tap.frameIn('u_1', 'enqueue');
  tap.frameOut(null, 'stats', 3);
  tap.socketClosed('u_1', 'socket closed');
  tap.released('u_1', 'c_1');
  expect(seen).toEqual([
    'a in u_1 enqueue',
    'b in u_1 enqueue',
    'b out null stats 3',
    'b closed u_1 socket closed',
    'a released u_1 c_1',
  ]);
});
