import { expect, test } from 'bun:test';
import { RateLimiter } from './rate.ts';

test('a burst passes at once, then one event per period; the wait says when', () => {
  const limits = new RateLimiter();
  const rate = { perMinute: 30, burst: 3 }; // one every 2 s, three at once
  expect([0, 0, 0].map(() => limits.take('d', 1_000, rate))).toEqual([0, 0, 0]);
  expect(limits.take('d', 1_000, rate)).toBe(2_000);
  expect(limits.take('d', 2_999, rate)).toBe(1);
  expect(limits.take('d', 3_000, rate)).toBe(0);
  expect(limits.take('other', 3_000, rate)).toBe(0); // keys are apart
  // Idle long enough, the whole burst is back.
  expect([0, 0, 0].map(() => limits.take('d', 60_000, rate))).toEqual([0, 0, 0]);
});
