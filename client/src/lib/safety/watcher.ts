/**
 * Safe mode's eyes: a few times a second, the stranger's video is drawn to a small canvas and the
 * frame goes to the classifier worker. Nothing leaves the browser. Each frame carries the epoch of
 * the stranger it was taken from, so a late answer about the last stranger never counts for the next.
 */
import type { Classifier } from './classifier.ts';
import { FRAME_SIZE } from './messages.ts';

/** Between the starts of two frames: about two and a half frames a second. */
export const FRAME_EVERY_MS = 400;

/** User Timing measures are kept by the browser: cleared now and then, so a long call does not pile them up. */
const MAX_MEASURES = 600;

export interface WatchDeps {
  classifier: Classifier;
  /** The epoch of the stranger to score frames for, or null when frames should not be scored now. */
  epoch: () => number | null;
  onScored: (epoch: number, scores: Record<string, number>) => void;
  everyMs?: number;
}

/** Starts scoring `video`'s frames; returns the stop. */
export function watchVideo(video: HTMLVideoElement, d: WatchDeps): () => void {
  const canvas = document.createElement('canvas');
  canvas.width = FRAME_SIZE;
  canvas.height = FRAME_SIZE;
  const ctx = canvas.getContext('2d', { willReadFrequently: true });
  let stopped = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let measures = 0;
  const every = d.everyMs ?? FRAME_EVERY_MS;

  const frame = async (epoch: number, context: CanvasRenderingContext2D): Promise<void> => {
    const t0 = performance.now();
    context.drawImage(video, 0, 0, FRAME_SIZE, FRAME_SIZE);
    const image = context.getImageData(0, 0, FRAME_SIZE, FRAME_SIZE);
    performance.measure('serendip:capture', { start: t0, end: performance.now() });
    const { scores, ms } = await d.classifier.classify(image);
    performance.measure('serendip:classify', { start: performance.now() - ms, duration: ms });
    if (++measures >= MAX_MEASURES) {
      measures = 0;
      performance.clearMeasures('serendip:capture');
      performance.clearMeasures('serendip:classify');
    }
    if (!stopped) d.onScored(epoch, scores);
  };

  const tick = async (): Promise<void> => {
    const started = performance.now();
    const epoch = d.epoch();
    const playing = video.readyState >= HTMLMediaElement.HAVE_CURRENT_DATA && video.videoWidth > 0;
    if (epoch !== null && playing && ctx) {
      // A frame that could not be scored is no verdict: the shield stays as it was.
      await frame(epoch, ctx).catch((error: Error) => console.warn('safe mode: frame not scored', error.message));
    }
    if (!stopped) timer = setTimeout(tick, Math.max(0, every - (performance.now() - started)));
  };

  timer = setTimeout(tick, 0);
  return () => {
    stopped = true;
    clearTimeout(timer);
  };
}
