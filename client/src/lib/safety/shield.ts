/**
 * Safe mode's verdict on the stranger's video, as pure data: blurred until the classifier has seen
 * a few clean frames in a row, blurred again (and for the rest of this stranger) once a frame
 * crosses the threshold for any unsafe class. It fails closed: no model, no clean frames, no view.
 */

/** What the server's `GET /api/entry` says counts as unsafe (`safeMode`). */
export interface SafeConfig {
  /** nsfwjs class names that count as unsafe. */
  unsafe: string[];
  /** A frame is unsafe when any unsafe class scores above this probability. */
  threshold: number;
}

export const DEFAULT_SAFE_CONFIG: SafeConfig = { unsafe: ['Porn', 'Hentai', 'Sexy'], threshold: 0.6 };

/** Clean frames in a row before the stranger's video is shown. */
export const CLEAN_FRAMES = 3;

export type ModelStatus = 'off' | 'loading' | 'ready' | 'failed';

export interface Shield {
  /** The user's choice (on by default, remembered by the browser). */
  on: boolean;
  model: ModelStatus;
  modelError: string | null;
  /** Bumped for each new stranger (or new video track): scores of older frames are dropped. */
  epoch: number;
  /** Clean frames in a row of the current stranger. */
  clean: number;
  /** The unsafe class that tripped it, if one did: the notice offering Skip and Report is shown. */
  unsafe: string | null;
  /** The user chose to see this stranger's video anyway. */
  revealed: boolean;
}

export function initialShield(): Shield {
  return { on: true, model: 'off', modelError: null, epoch: 0, clean: 0, unsafe: null, revealed: false };
}

/** Is the stranger's video blurred right now? */
export function isBlurred(s: Shield): boolean {
  return s.on && !s.revealed && (s.unsafe !== null || s.clean < CLEAN_FRAMES);
}

/** A new stranger (or a new video track): blurred again until its own frames prove clean. */
export function resetShield(s: Shield): Shield {
  return { ...s, epoch: s.epoch + 1, clean: 0, unsafe: null, revealed: false };
}

/** The unsafe class of `scores` with the highest score above the threshold, if any. */
export function unsafeClass(scores: Record<string, number>, config: SafeConfig): string | null {
  let worst: string | null = null;
  for (const name of config.unsafe) {
    const p = scores[name];
    if (p !== undefined && p > config.threshold && (worst === null || p > (scores[worst] ?? 0))) worst = name;
  }
  return worst;
}

/** One frame's scores, for the stranger of `epoch`. */
export function scoreFrame(s: Shield, epoch: number, scores: Record<string, number>, config: SafeConfig): Shield {
  if (!s.on || epoch !== s.epoch) return s;
  const unsafe = unsafeClass(scores, config);
  if (unsafe !== null) return { ...s, clean: 0, unsafe: s.unsafe ?? unsafe };
  return { ...s, clean: s.clean + 1 };
}
