import { expect, test } from 'bun:test';
import { parseInspectFilter } from '../config.ts';
import { selects } from './filter.ts';

test('parses every form of INSPECT_FILTER', () => {
  expect(parseInspectFilter(undefined)).toEqual({ kind: 'all' });
  expect(parseInspectFilter(' all ')).toEqual({ kind: 'all' });
  expect(parseInspectFilter('none')).toEqual({ kind: 'none' });
  expect(parseInspectFilter('sample:0.25')).toEqual({ kind: 'sample', rate: 0.25 });
  expect(parseInspectFilter('user:u_a, u_b')).toEqual({ kind: 'users', ids: ['u_a', 'u_b'] });
});

test('rejects what it cannot read, saying what it expected', () => {
  for (const bad of ['sample:2', 'sample:', 'sample:x', 'user:', 'user:has space', 'some', 'users:u_a']) {
    const r = parseInspectFilter(bad);
    expect(typeof r).toBe('string');
    expect(r as string).toContain('expected');
  }
});

test('a sample picks about its share of users, the same ones every time', () => {
  const filter = { kind: 'sample', rate: 0.2 } as const;
  const ids = Array.from({ length: 5000 }, (_, i) => `u_${i.toString(36)}x${(i * 7919).toString(36)}`);
  const picked = ids.filter((id) => selects(filter, id));
  expect(picked.length / ids.length).toBeGreaterThan(0.17);
  expect(picked.length / ids.length).toBeLessThan(0.23);
  expect(ids.filter((id) => selects(filter, id))).toEqual(picked);
  expect(ids.some((id) => selects({ kind: 'sample', rate: 0 }, id))).toBe(false);
  expect(ids.every((id) => selects({ kind: 'sample', rate: 1 }, id))).toBe(true);
});

test('all, none and a user list select as named', () => {
  expect(selects({ kind: 'all' }, 'u_1')).toBe(true);
  expect(selects({ kind: 'none' }, 'u_1')).toBe(false);
  expect(selects({ kind: 'users', ids: ['u_1'] }, 'u_1')).toBe(true);
  expect(selects({ kind: 'users', ids: ['u_1'] }, 'u_2')).toBe(false);
});
