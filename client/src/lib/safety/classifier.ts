/**
 * The page's side of the classifier worker: loads it once, on first use (TensorFlow.js and the
 * model are megabytes, and text-only users never need them), and turns its messages into promises.
 */
import type { FromWorker, ToWorker } from './messages.ts';

export interface Loaded {
  backend: string;
  loadMs: number;
}

export interface Scored {
  scores: Record<string, number>;
  /** The inference alone, in the worker. */
  ms: number;
}

type Waiter = { resolve: (s: Scored) => void; reject: (e: Error) => void };

export class Classifier {
  private worker: Worker | null = null;
  private loading: Promise<Loaded> | null = null;
  private readonly waiting = new Map<number, Waiter>();
  private nextId = 1;

  /** Starts the worker and the model (once); rejects when either cannot start, and may be tried again. */
  load(): Promise<Loaded> {
    this.loading ??= this.start().catch((error: Error) => {
      this.worker?.terminate();
      this.worker = null;
      this.loading = null;
      this.failAll(error);
      throw error;
    });
    return this.loading;
  }

  private start(): Promise<Loaded> {
    return new Promise<Loaded>((resolve, reject) => {
      const worker = new Worker(new URL('./classifier.worker.ts', import.meta.url), { type: 'module' });
      this.worker = worker;
      worker.addEventListener('error', (e) => {
        const error = new Error(e.message || 'the classifier could not start');
        reject(error);
        this.failAll(error);
      });
      worker.addEventListener('message', (e: MessageEvent<FromWorker>) => {
        const m = e.data;
        if (m.type === 'ready') resolve({ backend: m.backend, loadMs: m.loadMs });
        else if (m.type === 'failed') reject(new Error(m.error));
        else this.settle(m);
      });
      this.send({ type: 'load' });
    });
  }

  /** Scores one frame; `image` is transferred to the worker (it is unusable here afterwards). */
  async classify(image: ImageData): Promise<Scored> {
    await this.load();
    const id = this.nextId++;
    return new Promise<Scored>((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      this.send({ type: 'classify', id, image }, [image.data.buffer]);
    });
  }

  private send(m: ToWorker, transfer: Transferable[] = []): void {
    this.worker?.postMessage(m, transfer);
  }

  private settle(m: Extract<FromWorker, { id: number }>): void {
    const w = this.waiting.get(m.id);
    if (!w) return;
    this.waiting.delete(m.id);
    if (m.type === 'scored') w.resolve({ scores: m.scores, ms: m.ms });
    else w.reject(new Error(m.error));
  }

  private failAll(error: Error): void {
    for (const w of this.waiting.values()) w.reject(error);
    this.waiting.clear();
  }
}
