/** What the page and the classifier worker say to each other (structured-clone data only). */

/** Page → worker. */
export type ToWorker = { type: 'load' } | { type: 'classify'; id: number; image: ImageData };

/** Worker → page. `scores`: probability per nsfwjs class name; `ms`: the inference alone. */
export type FromWorker =
  | { type: 'ready'; backend: string; loadMs: number }
  | { type: 'failed'; error: string }
  | { type: 'scored'; id: number; scores: Record<string, number>; ms: number }
  | { type: 'error'; id: number; error: string };

/** The model's input side: frames are drawn at this size, so the worker never resizes. */
export const FRAME_SIZE = 224;
