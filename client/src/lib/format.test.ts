import { describe, expect, test } from 'bun:test';
import { formatElapsed, formatOnline } from './format.ts';

describe('format', () => {
  test('elapsed time reads like a clock', () => {
    expect(formatElapsed(0)).toBe('0:00');
    expect(formatElapsed(7_400)).toBe('0:07');
    expect(formatElapsed(90_000)).toBe('1:30');
    expect(formatElapsed(3_723_000)).toBe('1:02:03');
    expect(formatElapsed(-5)).toBe('0:00');
  });

  test('online count, singular and plural', () => {
    expect(formatOnline(1)).toBe('1 person online');
    expect(formatOnline(1234)).toBe('1,234 people online');
  });
});
