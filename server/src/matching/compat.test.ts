import { expect, test } from 'bun:test';
import { type Candidate, choose, interestsMatch } from './compat.ts';

const rules = { now: 10_000, interestFallbackMs: 5_000, rematchCooldownMs: 60_000 };
const w = (userId: string, interests: string[], since: number) => ({ userId, interests, since });
const c = (userId: string, interests: string[], since: number, extra: Partial<Candidate> = {}): Candidate => ({
  ...w(userId, interests, since),
  skippedAt: null,
  blocked: false,
  ...extra,
});

test('a shared interest matches at once; otherwise each that named interests must have waited', () => {
  expect(interestsMatch(w('a', ['x'], 9_000), w('b', ['x', 'y'], 9_500), rules)).toMatchObject({
    ok: true,
    common: ['x'],
  });
  expect(interestsMatch(w('a', [], 9_000), w('b', [], 9_999), rules).ok).toBe(true);
  expect(interestsMatch(w('a', ['x'], 5_000), w('b', [], 9_999), rules).ok).toBe(true);
  expect(interestsMatch(w('a', ['x'], 5_000), w('b', ['y'], 6_000), rules)).toMatchObject({
    ok: false,
    readyAt: 11_000,
  });
  expect(interestsMatch(w('a', ['x'], 5_001), w('b', [], 0), rules)).toMatchObject({ ok: false, readyAt: 10_001 });
});

test('the longest-waiting compatible candidate wins; blocked ones never do', () => {
  const me = w('me', [], 9_000);
  const pick = choose(me, [c('old', [], 1, { blocked: true }), c('mid', [], 2), c('new', [], 3)], 3, rules);
  expect(pick.chosen?.userId).toBe('mid');
  expect(choose(me, [c('me', [], 1)], 1, rules)).toEqual({ chosen: null, retryAt: null });
});

test('recently skipped partners are deferred while others wait', () => {
  const me = w('me', [], 4_000);
  const skipped = c('ex', [], 4_000, { skippedAt: 9_000 });
  expect(choose(me, [skipped, c('other', [], 5_000)], 2, rules).chosen?.userId).toBe('other');
  expect(choose(me, [skipped], 2, rules)).toEqual({ chosen: null, retryAt: 69_000 });
  // Nobody else waits: they may meet again once both have waited the fallback time.
  expect(choose(w('me', [], 6_000), [skipped], 1, rules)).toEqual({ chosen: null, retryAt: 11_000 });
  expect(choose(me, [skipped], 1, rules).chosen?.userId).toBe('ex');
});
