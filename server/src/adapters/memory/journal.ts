/**
 * The journal in process, for the single embedded instance: a queue the in-process matcher writes
 * in the same synchronous step as each change. It survives nothing the process does not (the
 * embedded default is one instance; a crash closes its open sessions at the next start).
 */
import type { Journal, JournalEntry, JournalRecord } from '../../ports.ts';

export class MemoryJournal implements Journal {
  private queue: JournalRecord[] = [];
  private readonly held = new Map<string, JournalRecord>();
  private seq = 0;

  /** Adds an entry synchronously (the in-process matcher's atomic steps call this). */
  push(entry: JournalEntry): void {
    this.queue.push({ id: String(++this.seq), entry });
  }

  async append(entry: JournalEntry): Promise<void> {
    this.push(entry);
  }

  async read(max: number): Promise<JournalRecord[]> {
    const out = this.queue.slice(0, max);
    this.queue = this.queue.slice(out.length);
    for (const r of out) this.held.set(r.id, r);
    return out;
  }

  async ack(ids: string[]): Promise<void> {
    for (const id of ids) this.held.delete(id);
  }

  /** Entries not yet acknowledged. */
  get size(): number {
    return this.queue.length + this.held.size;
  }

  async backlog(): Promise<number> {
    return this.size;
  }
}
