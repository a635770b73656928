import { describe, expect, test } from 'bun:test';
import { BACKOFF_CAP_MS, backoffDelay } from './backoff.ts';

describe('backoffDelay', () => {
  test('doubles from 500 ms up to the cap, with half of it random', () => {
    expect([0, 1, 2, 3].map((n) => backoffDelay(n, 0))).toEqual([250, 500, 1000, 2000]);
    expect([0, 1, 2, 3].map((n) => backoffDelay(n, 0.999999))).toEqual([500, 1000, 2000, 4000]);
    expect(backoffDelay(30, 0.999999)).toBe(BACKOFF_CAP_MS);
    expect(backoffDelay(30, 0)).toBe(BACKOFF_CAP_MS / 2);
  });
});
