/** Solves a bot check in a worker (pow.worker.ts); resolves with the payload for the server. */
import type { PowTask } from './altcha.ts';
import type { PowMessage } from './pow.worker.ts';
import type { Progress } from './search.ts';

export function solve(task: PowTask, onProgress: (p: Progress) => void): Promise<string> {
  return new Promise<string>((resolve, reject) => {
    const worker = new Worker(new URL('./pow.worker.ts', import.meta.url), { type: 'module' });
    worker.addEventListener('error', (e) => {
      worker.terminate();
      reject(new Error(e.message || 'the bot check could not start'));
    });
    worker.addEventListener('message', (e: MessageEvent<PowMessage>) => {
      const m = e.data;
      if (m.type === 'progress') return onProgress({ tried: m.tried, share: m.share });
      worker.terminate();
      if (m.type === 'solved') resolve(m.payload);
      else reject(new Error(m.error));
    });
    worker.postMessage(task);
  });
}
