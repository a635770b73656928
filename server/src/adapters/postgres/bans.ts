/**
 * Bans, read from PostgreSQL into memory so the `enqueue` path never waits on a query: refreshed
 * every few seconds, and at once when reports were written (an auto-ban may have followed).
 */
import type { Db } from './db.ts';

export class PostgresBans {
  private bans = new Map<string, number>();
  private timer: ReturnType<typeof setInterval> | null = null;

  constructor(
    private readonly sql: Db,
    private readonly now: () => number = Date.now,
  ) {}

  /** Loads the bans, then keeps them fresh every `everyMs`; a failed refresh keeps the last copy. */
  async start(everyMs = 10_000, onError: (error: unknown) => void = () => {}): Promise<void> {
    await this.refresh();
    this.timer = setInterval(() => this.refresh().catch(onError), everyMs);
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** Null when not banned, else until when (ms epoch; Infinity for good). */
  until(userId: string): number | null {
    const until = this.bans.get(userId);
    return until !== undefined && until > this.now() ? until : null;
  }

  async refresh(): Promise<void> {
    const rows = await this.sql<{ user_id: string; until: number }[]>`
      SELECT user_id, max(COALESCE(extract(epoch FROM expires_at) * 1000, 'Infinity'::float8))::float8 AS until
      FROM bans WHERE expires_at IS NULL OR expires_at > now() GROUP BY user_id`;
    this.bans = new Map(rows.map((r) => [r.user_id, Number(r.until)]));
  }
}
