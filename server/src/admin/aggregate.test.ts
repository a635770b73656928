import { expect, test } from 'bun:test';
import { aggregate, withLocal } from './aggregate.ts';
import type { InstanceView } from './view.ts';

const view = (instance: string, at: number, over: Partial<InstanceView> = {}): InstanceView => ({
  instance,
  at,
  online: 0,
  sockets: 0,
  queue: 0,
  states: {},
  pairsTotal: 0,
  pairs: { until: 10, perSecond: [0, 0] },
  ...over,
});

test('users, sockets, states and pairs add up across instances; the shared queue does not', () => {
  const pairs = (perSecond: number[]) => ({ until: 10, perSecond });
  const a = view('a', 1000, { online: 3, sockets: 3, queue: 4, states: { idle: 1, waiting: 2 }, pairsTotal: 5 });
  const b = view('b', 1500, { online: 2, sockets: 1, queue: 5, states: { waiting: 1, inCall: 1 }, pairsTotal: 1 });
  a.pairs = pairs([1, 2]);
  b.pairs = pairs([0, 1]);
  expect(aggregate([a, b], 2)).toEqual({
    instances: 2,
    online: 5,
    sockets: 4,
    queue: 5,
    states: { idle: 1, waiting: 3, inCall: 1 },
    pairsTotal: 6,
    pairs: { until: 10, perSecond: [1, 3] },
  });
});

test("this instance's live view replaces its published copy", () => {
  const stale = view('b', 1, { online: 99 });
  const fresh = view('b', 2, { online: 1 });
  expect(withLocal([view('c', 1), stale, view('a', 1)], fresh).map((v) => [v.instance, v.online])).toEqual([
    ['a', 0],
    ['b', 1],
    ['c', 0],
  ]);
});
