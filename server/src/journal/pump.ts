/**
 * Moves the journal into PostgreSQL: reads a batch, writes it, acknowledges it; again while there
 * is more. A batch that cannot be written (PostgreSQL down) is held here and retried with backoff;
 * the journal keeps everything this instance has not read, so nothing is lost while it waits, and
 * if the instance dies what it held is still unacknowledged in the journal for another to take.
 * Entries PostgreSQL refuses for their data are rejected one by one (reported, acknowledged), so
 * one poisoned entry never holds back the others.
 */
import type { Journal, JournalEntry, JournalRecord } from '../ports.ts';

/** What writes a batch: resolves with the records refused for their data; rejects when nothing could be written. */
export interface JournalWriter {
  write(records: JournalRecord[]): Promise<JournalRecord[]>;
}

export interface PumpOptions {
  /** How often to look for new entries when idle. */
  intervalMs?: number;
  batch?: number;
  /** A batch could not be written; it is retried (the first failure in a row and every tenth are passed here). */
  onError: (error: unknown, held: number) => void;
  /** Entries dropped for good: refused by PostgreSQL for their data, or unreadable. */
  onRejected: (records: JournalRecord[]) => void;
  now?: () => number;
}

/** A record that never was in the journal (appending failed): written, never acknowledged. */
const LOCAL = 'local:';

export class JournalPump {
  private held: JournalRecord[] = [];
  private timer: ReturnType<typeof setInterval> | null = null;
  private running: Promise<number> | null = null;
  private failures = 0;
  private retryAt = 0;
  private readonly now: () => number;

  constructor(
    private readonly journal: Journal,
    private readonly writer: JournalWriter,
    private readonly o: PumpOptions,
  ) {
    this.now = o.now ?? Date.now;
  }

  start(): void {
    this.timer ??= setInterval(() => {
      if (this.now() >= this.retryAt) void this.pump().catch(() => {});
    }, this.o.intervalMs ?? 250);
  }

  /** Adds an entry no store step journals (a report). If the journal cannot take it, it is held here and written directly. */
  append(entry: JournalEntry): void {
    this.journal.append(entry).catch(() => {
      this.held.push({ id: `${LOCAL}${crypto.randomUUID()}`, entry });
    });
  }

  /** Entries read (or held) but not yet in PostgreSQL. */
  pending(): number {
    return this.held.length;
  }

  /** One run: read and write until the journal has nothing more; concurrent calls share it. Resolves with how many entries it moved. */
  pump(): Promise<number> {
    this.running ??= this.run().finally(() => {
      this.running = null;
    });
    return this.running;
  }

  /** Stops the timer and writes what is left, for at most `ms`. */
  async stop(ms = 5000): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    const deadline = this.now() + ms;
    while (this.now() < deadline) {
      try {
        // A run already going may have read before the last entries came: done only when a run finds nothing.
        if ((await this.pump()) === 0 && this.held.length === 0) return;
      } catch {
        await Bun.sleep(100);
      }
    }
  }

  private async run(): Promise<number> {
    const batch = this.o.batch ?? 2000;
    let moved = 0;
    for (let round = 0; round < 20; round++) {
      if (this.held.length < batch) {
        const fresh = await this.journal.read(batch - this.held.length).catch(() => [] as JournalRecord[]);
        this.held.push(...fresh);
      }
      if (this.held.length === 0) return moved;
      // A copy: appends that fail while the batch is written join `held` behind it.
      const records = [...this.held];
      const readable = records.filter((r) => r.entry !== null);
      let refused: JournalRecord[];
      try {
        refused = await this.writer.write(readable);
      } catch (error) {
        this.failures += 1;
        this.retryAt = this.now() + Math.min(2000, 100 * 2 ** this.failures);
        if (this.failures === 1 || this.failures % 10 === 0) this.o.onError(error, this.held.length);
        throw error;
      }
      this.failures = 0;
      this.held = this.held.slice(records.length);
      const dropped = [...records.filter((r) => r.entry === null), ...refused];
      if (dropped.length > 0) this.o.onRejected(dropped);
      // In PostgreSQL now; if the acknowledgement is lost, the journal delivers them again and the
      // idempotent writes make that harmless.
      await this.journal.ack(records.map((r) => r.id).filter((id) => !id.startsWith(LOCAL))).catch(() => {});
      moved += records.length;
      if (records.length < batch) return moved;
    }
    return moved;
  }
}
