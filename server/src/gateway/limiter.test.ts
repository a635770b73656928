import { expect, test } from 'bun:test';
import { Limiter } from './limiter.ts';

const limits = { framesPerSecond: 10, frameBurst: 3, abuseThreshold: 2 };

test('a burst is allowed, then frames are refused with the wait until the next token', () => {
  const l = new Limiter(limits, 0);
  expect([l.take(0), l.take(0), l.take(0)]).toEqual([0, 0, 0]);
  expect(l.take(0)).toBe(100);
  expect(l.take(100)).toBe(0);
});

test('strikes close the socket only past the threshold within the window', () => {
  const l = new Limiter(limits, 0);
  expect(l.strike(0)).toBe(false);
  expect(l.strike(1)).toBe(false);
  expect(l.strike(2)).toBe(true);
  expect(l.strike(20_000)).toBe(false);
});
