/** The bot check's search (search.ts), off the main thread, so the page stays responsive. */
import type { PowTask } from './altcha.ts';
import { type Progress, search } from './search.ts';

/** Worker → page. */
export type PowMessage =
  | ({ type: 'progress' } & Progress)
  | { type: 'solved'; payload: string }
  | { type: 'failed'; error: string };

const post = (m: PowMessage) => self.postMessage(m);

self.addEventListener('message', (e: MessageEvent<PowTask>) => {
  search(e.data, (p) => post({ type: 'progress', ...p })).then(
    (payload) => post({ type: 'solved', payload }),
    (error: Error) => post({ type: 'failed', error: error.message ?? String(error) }),
  );
});
