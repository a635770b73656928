import { describe, expect, test } from 'bun:test';
import { parseInterests } from './interests.ts';

describe('parseInterests', () => {
  test('splits on commas, trims, lower-cases and drops repeats', () => {
    expect(parseInterests(' Music, films;MUSIC,,  board   games ')).toEqual({
      tags: ['music', 'films', 'board games'],
      problem: null,
    });
    expect(parseInterests('')).toEqual({ tags: [], problem: null });
  });

  test('keeps within the protocol limits and says what it left out', () => {
    const long = parseInterests(`ok, ${'x'.repeat(33)}`);
    expect(long.tags).toEqual(['ok']);
    expect(long.problem).toContain('32 characters');
    const many = parseInterests(Array.from({ length: 12 }, (_, i) => `t${i}`).join(','));
    expect(many.tags).toHaveLength(10);
    expect(many.problem).toContain('first 10');
  });

  test('removes control characters', () => {
    expect(parseInterests('ca\u0007ts').tags).toEqual(['cats']);
  });
});
