import { expect, test } from 'bun:test';
import { PerSecond, sumSeries } from './series.ts';

test('counts per second over a window, the current second excluded until it is whole', () => {
  let t = 1_000_000_000;
  const s = new PerSecond(5, () => t);
  s.add();
  s.add();
  t += 1000;
  s.add(3);
  expect(s.series()).toEqual({ until: 1_000_000, perSecond: [0, 0, 0, 0, 2] });
  t += 1000;
  expect(s.series()).toEqual({ until: 1_000_001, perSecond: [0, 0, 0, 2, 3] });
  expect(s.total).toBe(5);
});

test('old seconds fall out of the window and the ring is reused', () => {
  let t = 2_000_000_000;
  const s = new PerSecond(3, () => t);
  for (let i = 0; i < 10; i++) {
    s.add(i + 1);
    t += 1000;
  }
  expect(s.series().perSecond).toEqual([8, 9, 10]);
  t += 60_000;
  expect(s.series().perSecond).toEqual([0, 0, 0]);
  s.add();
  t += 1000;
  expect(s.series().perSecond).toEqual([0, 0, 1]);
});

test('series from several instances add up second by second', () => {
  const a = { until: 100, perSecond: [1, 2, 3] };
  const b = { until: 99, perSecond: [10, 20, 30] };
  expect(sumSeries([a, b], 3)).toEqual({ until: 100, perSecond: [21, 32, 3] });
  expect(sumSeries([], 3)).toEqual({ until: 0, perSecond: [0, 0, 0] });
});
