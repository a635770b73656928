import { describe, expect, test } from 'bun:test';
import { isEnder, parseLine, probe, reply } from './chat.ts';
import { formatDuration, parseDuration } from './duration.ts';
import { formatStages, Pacer, parseStages, rateAt, staircase, totalMs } from './schedule.ts';

describe('durations', () => {
  test('units, compounds and bare seconds', () => {
    expect(parseDuration('500ms')).toBe(500);
    expect(parseDuration('30s')).toBe(30_000);
    expect(parseDuration('1m30s')).toBe(90_000);
    expect(parseDuration('1h')).toBe(3_600_000);
    expect(parseDuration('2.5')).toBe(2500);
    expect(formatDuration(90_000)).toBe('90s');
  });
  test('rejects garbage', () => {
    expect(() => parseDuration('10 parsecs')).toThrow();
    expect(() => parseDuration('')).toThrow();
  });
});

describe('schedules', () => {
  const stages = parseStages('10s:100,10s:100,5s:0');
  test('parse and format round-trip', () => {
    expect(formatStages(stages)).toBe('10s:100,10s:100,5s:0');
    expect(totalMs(stages)).toBe(25_000);
  });
  test('linear ramps like ramping-arrival-rate', () => {
    expect(rateAt(stages, 0, 0)).toBe(0);
    expect(rateAt(stages, 0, 5000)).toBe(50);
    expect(rateAt(stages, 0, 15_000)).toBe(100);
    expect(rateAt(stages, 0, 22_500)).toBe(50);
    expect(rateAt(stages, 0, 30_000)).toBe(0);
  });
  test('staircase steps up to the maximum', () => {
    const s = staircase(100, 100, 5000, 300);
    expect(rateAt(s, 100, 2000)).toBe(100);
    expect(rateAt(s, 100, 5000 + 1000 + 2000)).toBe(200);
    expect(rateAt(s, 100, totalMs(s) - 1)).toBeCloseTo(300, 5);
  });
  test('the pacer delivers the integral of the rate, in whole arrivals', () => {
    const pacer = new Pacer((t) => rateAt(stages, 0, t), 1000);
    let n = 0;
    for (let t = 1000; t <= 26_000; t += 7) n += pacer.take(t);
    // ∫ = 10 s × 50 + 10 s × 100 + 5 s × 50 = 1750
    expect(Math.abs(n - 1750)).toBeLessThanOrEqual(1);
  });
  test('bad stages are refused', () => {
    expect(() => parseStages('10s')).toThrow();
    expect(() => parseStages('10s:-1')).toThrow();
  });
});

describe('chat lines', () => {
  test('probe and reply round-trip', () => {
    expect(parseLine(probe('u_abc', 3))).toEqual({ kind: 'probe', userId: 'u_abc', seq: 3 });
    expect(parseLine(reply(3))).toEqual({ kind: 'reply', seq: 3 });
    expect(parseLine('hello there')).toBeNull();
  });
  test('exactly one side ends', () => {
    expect(isEnder('u_a', 'u_b')).toBe(true);
    expect(isEnder('u_b', 'u_a')).toBe(false);
  });
});
