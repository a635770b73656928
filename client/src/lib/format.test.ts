import { describe, expect, test } from 'bun:test';
import { formatElapsed, formatOnline, formatWhen, secondsLeft } from './format.ts';

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

  test('a countdown rounds up and stops at zero', () => {
    expect(secondsLeft(12_000, 0)).toBe(12);
    expect(secondsLeft(12_000, 1)).toBe(12);
    expect(secondsLeft(12_000, 11_001)).toBe(1);
    expect(secondsLeft(12_000, 13_000)).toBe(0);
  });

  test('a point in time reads as a date and a clock time', () => {
    expect(formatWhen(Date.UTC(2026, 4, 21, 14, 5), 'en-GB', 'UTC')).toBe('21 May 2026, 14:05');
  });
});
