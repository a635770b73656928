/**
 * Safe mode, reduced: the user's toggle, the model's arrival, each scored frame, "show it anyway",
 * and a new stranger (blurred until proven clean). The verdict itself is safety/shield.ts.
 */
import { resetShield, scoreFrame } from './safety/shield.ts';
import type { Command, SafetyEvent, State } from './state.ts';

export function safety(s: State, e: SafetyEvent, out: Command[]): State {
  switch (e.type) {
    case 'safeMode': {
      if (e.save) out.push({ kind: 'saveSafeMode', on: e.on });
      if (e.on === s.shield.on) return s;
      if (!e.on) return { ...s, shield: { ...s.shield, on: false } };
      // Turned on: this stranger is blurred until its frames prove clean, like a new one.
      const next = { ...s, shield: resetShield({ ...s.shield, on: true }) };
      return wantsVideo(next) ? wantModel(next, out) : next;
    }
    case 'model': {
      const model = e.ready ? 'ready' : 'failed';
      return { ...s, shield: { ...s.shield, model, modelError: e.ready ? null : (e.error ?? 'unknown error') } };
    }
    case 'scored':
      return { ...s, shield: scoreFrame(s.shield, e.epoch, e.scores, s.gate.safeConfig) };
    case 'reveal':
      return { ...s, shield: { ...s.shield, revealed: true } };
  }
}

const wantsVideo = (s: State): boolean =>
  s.session?.mode === 'video' || s.wish?.mode === 'video' || s.pendingStart?.mode === 'video';

/** Loads the model if safe mode is on and it is not there (a failed load is tried again). */
export function wantModel(s: State, out: Command[]): State {
  if (!s.shield.on || s.shield.model === 'loading' || s.shield.model === 'ready') return s;
  out.push({ kind: 'loadModel' });
  return { ...s, shield: { ...s.shield, model: 'loading', modelError: null } };
}

/** A new stranger, or a new video track of this one: blurred again until its frames are clean. */
export function newStranger(s: State, out: Command[]): State {
  return wantModel({ ...s, shield: resetShield(s.shield) }, out);
}

/** Frames should be scored now for this epoch, or not at all (null). */
export function scoringEpoch(s: State): number | null {
  const h = s.shield;
  const useful = h.on && h.model === 'ready' && !h.revealed && h.unsafe === null;
  return useful && s.session?.mode === 'video' ? h.epoch : null;
}
