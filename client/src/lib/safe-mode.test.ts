import { describe, expect, test } from 'bun:test';
import { admitted, frame, hello, kinds, matchedText, matchedVideo, open, run } from './harness.ts';
import { scoringEpoch } from './safe-mode.ts';
import { CLEAN_FRAMES, isBlurred } from './safety/shield.ts';
import type { Event, State } from './state.ts';

const clean = { Neutral: 0.95, Porn: 0.01 };
const nude = { Porn: 0.9, Neutral: 0.05 };
/** Got in, safe mode on (the default), camera granted. */
const ready = (): State => {
  const s = admitted();
  return run([open, hello(), { type: 'devices', devices: 'on' }], { ...s, shield: { ...s.shield, on: true } }).state;
};
const video: Event = { type: 'start', wish: { mode: 'video', interests: [] } };
const scored = (s: State, scores: Record<string, number>, n = 1) =>
  run(Array(n).fill({ type: 'scored', epoch: s.shield.epoch, scores }), s).state;
const inCall = () =>
  run([video, { type: 'model', ready: true }, frame({ type: 'waiting', since: 1 }), matchedVideo()], ready()).state;

describe('safe mode', () => {
  test('the model loads once, when video is first wanted; text chat never loads it', () => {
    const started = run([video], ready());
    expect(kinds(started.commands)).toEqual(['loadModel', 'send']);
    expect(started.state.shield.model).toBe('loading');
    expect(kinds(run([frame({ type: 'waiting', since: 1 }), matchedVideo()], started.state).commands)).not.toContain(
      'loadModel',
    );
    const text = run([{ type: 'start', wish: { mode: 'text', interests: [] } }, matchedText()], ready());
    expect(kinds(text.commands)).not.toContain('loadModel');
  });

  test('a stranger is blurred until enough clean frames, and scored only while that is useful', () => {
    let s = inCall();
    expect(isBlurred(s.shield)).toBe(true);
    expect(scoringEpoch(s)).toBe(s.shield.epoch);
    s = scored(s, clean, CLEAN_FRAMES);
    expect(isBlurred(s.shield)).toBe(false);
    s = scored(s, nude);
    expect([isBlurred(s.shield), s.shield.unsafe]).toEqual([true, 'Porn']);
    expect(scoringEpoch(s)).toBeNull(); // already hidden for this stranger
    s = run([{ type: 'reveal' }], s).state;
    expect(isBlurred(s.shield)).toBe(false);
  });

  test('a new stranger, or a new video track, is blurred again; late scores of the last one are dropped', () => {
    let s = scored(inCall(), clean, CLEAN_FRAMES);
    const old = s.shield.epoch;
    s = run([frame({ type: 'peerLeft', sessionId: 's1', reason: 'skip' }), matchedVideo('s2')], s).state;
    expect(isBlurred(s.shield)).toBe(true);
    s = run(Array(CLEAN_FRAMES).fill({ type: 'scored', epoch: old, scores: clean }), s).state;
    expect(isBlurred(s.shield)).toBe(true);
    s = scored(run([{ type: 'joined', sessionId: 's2' }], s).state, clean, CLEAN_FRAMES);
    s = run([{ type: 'mediaInfo', peerVideo: true }], s).state;
    expect(isBlurred(s.shield)).toBe(true);
    expect(run([{ type: 'mediaInfo', peerVideo: true }], s).state.shield.epoch).toBe(s.shield.epoch);
  });

  test('the server settings decide what is unsafe', () => {
    const s = inCall();
    const strict = { ...s, gate: { ...s.gate, safeConfig: { unsafe: ['Neutral'], threshold: 0.5 } } };
    expect(scored(strict, clean).shield.unsafe).toBe('Neutral');
  });

  test('a model that failed keeps the video blurred (fail closed) and is tried again for the next stranger', () => {
    let s = run([{ type: 'model', ready: false, error: 'no wasm' }], inCall()).state;
    expect(s.shield).toMatchObject({ model: 'failed', modelError: 'no wasm' });
    expect(isBlurred(s.shield)).toBe(true);
    expect(scoringEpoch(s)).toBeNull();
    const next = run([frame({ type: 'peerLeft', sessionId: 's1', reason: 'skip' }), matchedVideo('s2')], s);
    expect(kinds(next.commands)).toContain('loadModel');
    s = run([{ type: 'reveal' }], s).state;
    expect(isBlurred(s.shield)).toBe(false);
  });

  test('turned off: remembered, nothing blurred or scored; turned on mid-call: blurred until clean again', () => {
    const off = run([{ type: 'safeMode', on: false, save: true }], inCall());
    expect(off.commands).toEqual([{ kind: 'saveSafeMode', on: false }]);
    expect(isBlurred(off.state.shield)).toBe(false);
    expect(scoringEpoch(off.state)).toBeNull();
    const on = run([{ type: 'safeMode', on: true }], scored(off.state, clean, CLEAN_FRAMES));
    expect(isBlurred(on.state.shield)).toBe(true);
    expect(on.state.shield.epoch).toBe(off.state.shield.epoch + 1);
    const fresh = run([{ type: 'safeMode', on: false }, video], ready());
    expect(kinds(fresh.commands)).not.toContain('loadModel');
    expect(kinds(run([{ type: 'safeMode', on: true }], fresh.state).commands)).toEqual(['loadModel']);
  });
});
