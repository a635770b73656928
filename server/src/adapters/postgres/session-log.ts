/**
 * The durable record in PostgreSQL: sessions (start and end), users, reports, blocks and bans.
 * Writes are buffered and flushed in batches off the pairing path; a failed batch stays in the
 * buffer and is retried with backoff, so a short PostgreSQL outage loses nothing.
 */
import type { ClosedSession, Moderation, SessionLog } from '../../ports.ts';
import type { Mode } from '../../protocol.ts';
import type { Db } from './db.ts';

interface SessionRow {
  sessionId: string;
  userA: string;
  userB: string;
  mode: Mode;
  startedAt: number;
  endedAt: number | null;
  endedBy: string | null;
  reason: string | null;
}

interface ReportRow {
  sessionId: string;
  reporter: string;
  reported: string;
  reason: string;
}

export interface SessionLogOptions {
  intervalMs?: number;
  /** Rows per batch; a bigger buffer is written in several batches. */
  batchSize?: number;
  onError?: (error: unknown) => void;
  now?: () => number;
}

/** Reports from this many different people within a day ban the reported user for a day. */
export const AUTO_BAN_REPORTERS = 3;

export class PostgresSessionLog implements SessionLog, Moderation {
  private sessions = new Map<string, SessionRow>();
  private users = new Set<string>();
  private reports: ReportRow[] = [];
  private bans = new Map<string, number>();
  private running: Promise<void> | null = null;
  private timer: ReturnType<typeof setInterval> | null = null;
  private retryAt = 0;
  private failures = 0;
  private readonly now: () => number;

  constructor(
    private readonly sql: Db,
    private readonly opts: SessionLogOptions = {},
  ) {
    this.now = opts.now ?? Date.now;
  }

  /** Starts the periodic flush and the ban cache refresh. */
  async start(): Promise<void> {
    await this.refreshBans();
    let ticks = 0;
    this.timer = setInterval(() => {
      if (this.now() >= this.retryAt) this.flush().catch(() => {});
      if (++ticks % 40 === 0) this.refreshBans().catch(() => {});
    }, this.opts.intervalMs ?? 250);
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.flush();
  }

  started(s: { sessionId: string; userA: string; userB: string; mode: Mode; startedAt: number }): void {
    const prev = this.sessions.get(s.sessionId);
    this.sessions.set(s.sessionId, {
      ...s,
      endedAt: prev?.endedAt ?? null,
      endedBy: prev?.endedBy ?? null,
      reason: prev?.reason ?? null,
    });
    this.users.add(s.userA).add(s.userB);
  }

  ended(c: ClosedSession): void {
    this.sessions.set(c.sessionId, {
      sessionId: c.sessionId,
      userA: c.userA,
      userB: c.userB,
      mode: c.mode,
      startedAt: c.startedAt,
      endedAt: c.endedAt,
      endedBy: c.endedBy,
      reason: c.reason,
    });
    this.users.add(c.userA).add(c.userB);
  }

  report(r: ReportRow): void {
    if (!r.reported) return;
    this.reports.push(r);
    this.users.add(r.reporter).add(r.reported);
  }

  bannedUntil(userId: string): number | null {
    const until = this.bans.get(userId);
    return until !== undefined && until > this.now() ? until : null;
  }

  /** Rows waiting to be written. */
  pending(): number {
    return this.sessions.size + this.reports.length;
  }

  /** Writes everything buffered so far; concurrent calls share one run. */
  flush(): Promise<void> {
    if (this.running) return this.running.then(() => (this.pending() > 0 ? this.flush() : undefined));
    if (this.pending() === 0) return Promise.resolve();
    this.running = this.writeAll().finally(() => {
      this.running = null;
    });
    return this.running;
  }

  private async writeAll(): Promise<void> {
    const size = this.opts.batchSize ?? 2000;
    while (this.pending() > 0) {
      const sessions = [...this.sessions.values()].slice(0, size);
      for (const s of sessions) this.sessions.delete(s.sessionId);
      const reports = this.reports.splice(0, size);
      const users = [...this.users];
      this.users.clear();
      try {
        await this.write(users, sessions, reports);
        this.failures = 0;
        if (reports.length > 0) await this.refreshBans();
      } catch (error) {
        this.putBack(users, sessions, reports);
        this.failures += 1;
        this.retryAt = this.now() + Math.min(5000, 100 * 2 ** this.failures);
        this.opts.onError?.(error);
        throw error;
      }
    }
  }

  private putBack(users: string[], sessions: SessionRow[], reports: ReportRow[]): void {
    for (const u of users) this.users.add(u);
    for (const s of sessions) {
      const newer = this.sessions.get(s.sessionId);
      // An end that arrived meanwhile wins over the start we failed to write.
      if (!newer) this.sessions.set(s.sessionId, s);
      else if (newer.endedAt === null && s.endedAt !== null) this.sessions.set(s.sessionId, s);
    }
    this.reports.unshift(...reports);
  }

  private async write(users: string[], sessions: SessionRow[], reports: ReportRow[]): Promise<void> {
    await this.sql.begin(async (tx) => {
      if (users.length > 0) {
        // last_seen_at to the minute: a user pairs many times a minute, and rewriting its row on
        // every batch was more PostgreSQL work than the sessions themselves.
        await tx`INSERT INTO users (id) SELECT unnest(${users}::text[])
          ON CONFLICT (id) DO UPDATE SET last_seen_at = now()
          WHERE users.last_seen_at < now() - interval '1 minute'`;
      }
      if (sessions.length > 0) {
        const col = <K extends keyof SessionRow>(k: K) => sessions.map((s) => s[k]);
        await tx`INSERT INTO sessions (session_id, user_a, user_b, mode, started_at, ended_at, ended_by, end_reason)
          SELECT s, a, b, m, to_timestamp(st / 1000.0), to_timestamp(en / 1000.0), eb, er
          FROM unnest(${col('sessionId')}::text[], ${col('userA')}::text[], ${col('userB')}::text[],
                      ${col('mode')}::text[], ${col('startedAt')}::float8[], ${col('endedAt')}::float8[],
                      ${col('endedBy')}::text[], ${col('reason')}::text[]) AS t(s, a, b, m, st, en, eb, er)
          ON CONFLICT (session_id) DO UPDATE SET
            ended_at = COALESCE(sessions.ended_at, EXCLUDED.ended_at),
            ended_by = COALESCE(sessions.ended_by, EXCLUDED.ended_by),
            end_reason = COALESCE(sessions.end_reason, EXCLUDED.end_reason)`;
      }
      if (reports.length > 0) await this.writeReports(tx as unknown as Db, reports);
    });
  }

  private async writeReports(tx: Db, reports: ReportRow[]): Promise<void> {
    const col = <K extends keyof ReportRow>(k: K) => reports.map((r) => r[k]);
    await tx`INSERT INTO reports (session_id, reporter, reported, reason)
      SELECT * FROM unnest(${col('sessionId')}::text[], ${col('reporter')}::text[], ${col('reported')}::text[],
                           ${col('reason')}::text[])`;
    await tx`INSERT INTO blocks (blocker, blocked)
      SELECT * FROM unnest(${col('reporter')}::text[], ${col('reported')}::text[]) ON CONFLICT DO NOTHING`;
    await tx`INSERT INTO bans (user_id, reason, expires_at)
      SELECT r.reported, 'reported by several people within a day', now() + interval '24 hours'
      FROM reports r
      WHERE r.reported = ANY(${col('reported')}::text[]) AND r.created_at > now() - interval '24 hours'
      GROUP BY r.reported
      HAVING count(DISTINCT r.reporter) >= ${AUTO_BAN_REPORTERS}
        AND NOT EXISTS (SELECT 1 FROM bans b WHERE b.user_id = r.reported
                        AND (b.expires_at IS NULL OR b.expires_at > now()))`;
  }

  private async refreshBans(): Promise<void> {
    const rows = await this.sql<{ user_id: string; until: number }[]>`
      SELECT user_id, max(COALESCE(extract(epoch FROM expires_at) * 1000, 'Infinity'::float8))::float8 AS until
      FROM bans WHERE expires_at IS NULL OR expires_at > now() GROUP BY user_id`;
    this.bans = new Map(rows.map((r) => [r.user_id, Number(r.until)]));
  }

  /**
   * Ends sessions a crashed single-instance run left open (the in-memory matcher lost them).
   * Only for the embedded single-instance setup; with Redis, the sweep of dead instances does it.
   */
  async closeOrphans(): Promise<number> {
    const rows = await this.sql`UPDATE sessions SET ended_at = now(), end_reason = 'disconnect'
      WHERE ended_at IS NULL RETURNING session_id`;
    return rows.length;
  }
}
