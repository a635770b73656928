/** The admin board of a single instance (the in-process matcher runs one instance only). */
import type { AdminBoard } from '../../ports.ts';

export class MemoryBoard<V extends { instance: string; at: number }> implements AdminBoard<V> {
  private readonly views = new Map<string, V>();

  constructor(
    private readonly ttlMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  async publish(view: V): Promise<void> {
    this.views.set(view.instance, view);
  }

  async read(): Promise<V[]> {
    const live = this.now() - this.ttlMs;
    return [...this.views.values()].filter((v) => v.at >= live);
  }
}
