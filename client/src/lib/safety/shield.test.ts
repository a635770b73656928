import { describe, expect, test } from 'bun:test';
import {
  CLEAN_FRAMES,
  DEFAULT_SAFE_CONFIG,
  initialShield,
  isBlurred,
  resetShield,
  type Shield,
  scoreFrame,
  unsafeClass,
} from './shield.ts';

const clean = { Neutral: 0.9, Drawing: 0.08, Porn: 0.01, Sexy: 0.005, Hentai: 0.005 };
const nude = { Porn: 0.85, Neutral: 0.1, Sexy: 0.03, Drawing: 0.01, Hentai: 0.01 };

const ready = (): Shield => ({ ...initialShield(), model: 'ready' });
const feed = (s: Shield, frames: Record<string, number>[]) =>
  frames.reduce((acc, f) => scoreFrame(acc, acc.epoch, f, DEFAULT_SAFE_CONFIG), s);

describe('shield', () => {
  test('starts blurred and shows the video after enough clean frames in a row', () => {
    let s = ready();
    expect(isBlurred(s)).toBe(true);
    s = feed(s, Array(CLEAN_FRAMES - 1).fill(clean));
    expect(isBlurred(s)).toBe(true);
    s = feed(s, [clean]);
    expect(isBlurred(s)).toBe(false);
  });

  test('an unsafe frame blurs again and stays blurred for this stranger, with the class named', () => {
    let s = feed(ready(), Array(CLEAN_FRAMES).fill(clean));
    s = feed(s, [nude]);
    expect(isBlurred(s)).toBe(true);
    expect(s.unsafe).toBe('Porn');
    s = feed(s, Array(10).fill(clean));
    expect(isBlurred(s)).toBe(true);
    expect(s.unsafe).toBe('Porn');
  });

  test('an unsafe frame resets the clean streak before the video was ever shown', () => {
    const s = feed(ready(), [clean, clean, nude, clean]);
    expect(s.clean).toBe(1);
    expect(isBlurred(s)).toBe(true);
  });

  test('revealing shows the video anyway; a new stranger is blurred again and older frames are dropped', () => {
    let s = feed(ready(), [nude]);
    s = { ...s, revealed: true };
    expect(isBlurred(s)).toBe(false);
    const old = s.epoch;
    s = resetShield(s);
    expect(isBlurred(s)).toBe(true);
    expect([s.unsafe, s.revealed, s.clean]).toEqual([null, false, 0]);
    for (let i = 0; i < CLEAN_FRAMES; i++) s = scoreFrame(s, old, clean, DEFAULT_SAFE_CONFIG);
    expect(isBlurred(s)).toBe(true);
  });

  test('fails closed: no model, no clean frames, still blurred; off means never blurred', () => {
    expect(isBlurred({ ...initialShield(), model: 'failed', modelError: 'boom' })).toBe(true);
    const off = { ...initialShield(), on: false };
    expect(isBlurred(off)).toBe(false);
    expect(feed(off, [nude])).toEqual(off);
  });

  test('the unsafe classes and threshold come from the server; unknown names are ignored', () => {
    expect(unsafeClass(clean, DEFAULT_SAFE_CONFIG)).toBeNull();
    expect(unsafeClass({ Sexy: 0.61, Porn: 0.7 }, DEFAULT_SAFE_CONFIG)).toBe('Porn');
    expect(unsafeClass({ Sexy: 0.6 }, DEFAULT_SAFE_CONFIG)).toBeNull(); // above, not at, the threshold
    const test = { unsafe: ['Drawing', 'Neutral', 'Nonsense'], threshold: 0.1 };
    expect(unsafeClass(clean, test)).toBe('Neutral');
  });
});
