/**
 * The durable record in PostgreSQL: journal entries (sessions started and ended, reports) written
 * in batches, each batch one `unnest` statement (two when it holds reports). Every write is idempotent
 * (a session is one row whose end, once written, stays; a report is keyed by its journal id),
 * because the journal delivers at least once.
 *
 * A batch PostgreSQL refuses for its data (a value it cannot store, a broken constraint) is split
 * in halves until the entries it refuses are alone: those are rejected (counted and logged by the
 * caller, never retried), the rest are written. Any other failure (PostgreSQL down, a timeout)
 * is thrown, and the caller retries the whole batch later: nothing is lost.
 */
import type { ClosedSession, JournalRecord, Report, Seen, StartedSession } from '../../ports.ts';
import { reportCategory } from '../../protocol.ts';
import type { Db } from './db.ts';

interface SessionRow {
  sessionId: string;
  userA: string;
  userB: string;
  mode: string;
  startedAt: number;
  endedAt: number | null;
  endedBy: string | null;
  reason: string | null;
}

/** PostgreSQL refused the data itself (SQLSTATE class 22 data exception, 23 integrity, 54 limits). */
export function isDataError(error: unknown): boolean {
  const code = (error as { code?: unknown })?.code;
  return typeof code === 'string' && /^(22|23|54)/.test(code);
}

export interface SessionLogOptions {
  /** Reports were written: bans may have changed. */
  onReports?: () => void;
  /** Reports from this many distinct devices within a day ban the reported device for `hours`. */
  autoBan?: { reporters: number; hours: number };
}

export class PostgresSessionLog {
  constructor(
    private readonly sql: Db,
    private readonly opts: SessionLogOptions = {},
  ) {}

  /**
   * Writes the records; resolves with those PostgreSQL refused for their data (written alone, each
   * was refused). Rejects, writing nothing of the batch, when PostgreSQL cannot be written at all.
   */
  async write(records: JournalRecord[]): Promise<JournalRecord[]> {
    if (records.length === 0) return [];
    try {
      await this.writeBatch(records);
      return [];
    } catch (error) {
      if (!isDataError(error)) throw error;
      if (records.length === 1) return records;
      const mid = Math.ceil(records.length / 2);
      return [...(await this.write(records.slice(0, mid))), ...(await this.write(records.slice(mid)))];
    }
  }

  private async writeBatch(records: JournalRecord[]): Promise<void> {
    const sessions = new Map<string, SessionRow>();
    const reports: (Report & { journalId: string })[] = [];
    const seen: Seen[] = [];
    for (const { id, entry } of records) {
      if (!entry) continue;
      if (entry.kind === 'reported') reports.push({ ...entry.report, journalId: id });
      else if (entry.kind === 'seen') seen.push(entry.seen);
      else {
        const row = merge(sessions.get(entry.session.sessionId), entry.session);
        sessions.set(row.sessionId, row);
      }
    }
    // Each is one statement (its users upserted in a CTE of the same statement), so it is atomic
    // without a transaction: one round trip each, and nothing for a broken connection to hold.
    // In this order: a connection is seen before it is in a session or reported.
    if (seen.length > 0) await this.writeSeen(seen);
    if (sessions.size > 0) await this.writeSessions([...sessions.values()]);
    if (reports.length > 0) {
      await this.writeReports(reports);
      this.opts.onReports?.();
    }
  }

  /** Which device and address hash each connection (user id) came from. */
  private async writeSeen(seen: Seen[]): Promise<void> {
    const col = <K extends keyof Seen>(k: K) => seen.map((x) => x[k]);
    await this.sql`INSERT INTO users (id, device_id, ip_hash, created_at, last_seen_at)
      SELECT u, d, i, to_timestamp(t / 1000.0), to_timestamp(t / 1000.0)
      FROM unnest(${col('userId')}::text[], ${col('device')}::text[], ${col('ipHash')}::text[], ${col('at')}::float8[])
        AS x(u, d, i, t)
      ON CONFLICT (id) DO UPDATE SET device_id = EXCLUDED.device_id, ip_hash = EXCLUDED.ip_hash,
        last_seen_at = GREATEST(users.last_seen_at, EXCLUDED.last_seen_at)`;
  }

  private async writeSessions(sessions: SessionRow[]): Promise<void> {
    const col = <K extends keyof SessionRow>(k: K) => sessions.map((s) => s[k]);
    const users = [...new Set(sessions.flatMap((s) => [s.userA, s.userB]))];
    // last_seen_at to the minute: a user pairs many times a minute, and rewriting its row on
    // every batch was more PostgreSQL work than the sessions themselves.
    await this.sql`WITH u AS (
        INSERT INTO users (id) SELECT unnest(${users}::text[])
        ON CONFLICT (id) DO UPDATE SET last_seen_at = now()
        WHERE users.last_seen_at < now() - interval '1 minute')
      INSERT INTO sessions (session_id, user_a, user_b, mode, started_at, ended_at, ended_by, end_reason)
      SELECT s, a, b, m, to_timestamp(st / 1000.0), to_timestamp(en / 1000.0), eb, er
      FROM unnest(${col('sessionId')}::text[], ${col('userA')}::text[], ${col('userB')}::text[],
                  ${col('mode')}::text[], ${col('startedAt')}::float8[], ${col('endedAt')}::float8[],
                  ${col('endedBy')}::text[], ${col('reason')}::text[]) AS t(s, a, b, m, st, en, eb, er)
      ON CONFLICT (session_id) DO UPDATE SET
        ended_at = COALESCE(sessions.ended_at, EXCLUDED.ended_at),
        ended_by = COALESCE(sessions.ended_by, EXCLUDED.ended_by),
        end_reason = COALESCE(sessions.end_reason, EXCLUDED.end_reason)`;
  }

  /**
   * Reports, the device blocks they make (for good), and the ban that reports from several distinct
   * devices within a day bring (by device, for `autoBan.hours`).
   */
  private async writeReports(reports: (Report & { journalId: string })[]): Promise<void> {
    const rows = reports.map((r) => {
      const { category, details } = reportCategory(r.reason);
      const [a, b] =
        r.reporterDevice < r.reportedDevice
          ? [r.reporterDevice, r.reportedDevice]
          : [r.reportedDevice, r.reporterDevice];
      return { ...r, category, details, a, b };
    });
    const col = <K extends keyof (typeof rows)[number]>(k: K) => rows.map((r) => r[k]);
    const users = [...new Set(reports.flatMap((r) => [r.reporter, r.reported]))];
    const { reporters, hours } = this.opts.autoBan ?? { reporters: 3, hours: 24 };
    await this.sql`WITH u AS (
        INSERT INTO users (id) SELECT unnest(${users}::text[]) ON CONFLICT (id) DO NOTHING),
      fresh AS (
        INSERT INTO reports (session_id, reporter, reported, reason, category, reporter_device, reported_device,
                             reported_ip_hash, created_at, journal_id)
        SELECT s, rep, rpd, why, cat, rd, pd, (SELECT ip_hash FROM users WHERE id = rpd), to_timestamp(t / 1000.0), j
        FROM unnest(${col('sessionId')}::text[], ${col('reporter')}::text[], ${col('reported')}::text[],
                    ${col('details')}::text[], ${col('category')}::text[], ${col('reporterDevice')}::text[],
                    ${col('reportedDevice')}::text[], ${col('at')}::float8[], ${col('journalId')}::text[])
          AS x(s, rep, rpd, why, cat, rd, pd, t, j)
        ON CONFLICT (journal_id) DO NOTHING
        RETURNING reporter_device, reported_device),
      b AS (
        INSERT INTO device_blocks (a, b)
        SELECT DISTINCT a, b FROM unnest(${col('a')}::text[], ${col('b')}::text[]) AS y(a, b) WHERE a <> b
        ON CONFLICT DO NOTHING),
      recent AS (
        SELECT reporter_device AS rd, reported_device AS pd FROM reports
        WHERE reported_device = ANY(${col('reportedDevice')}::text[]) AND created_at > now() - interval '24 hours'
        UNION SELECT reporter_device, reported_device FROM fresh)
      INSERT INTO bans (device_id, reason, expires_at)
      SELECT pd, 'reported by ' || count(DISTINCT rd) || ' people within a day', now() + make_interval(hours => ${hours})
      FROM recent GROUP BY pd
      HAVING count(DISTINCT rd) >= ${reporters}
        AND NOT EXISTS (SELECT 1 FROM bans x WHERE x.device_id = recent.pd AND x.lifted_at IS NULL
                        AND (x.expires_at IS NULL OR x.expires_at > now()))`;
  }

  /**
   * Ends sessions a crashed single-instance run left open (the in-process matcher lost them).
   * Only for the embedded single-instance setup; with Redis, the sweep of dead instances does it.
   */
  async closeOrphans(): Promise<number> {
    const rows = await this.sql`UPDATE sessions SET ended_at = now(), end_reason = 'disconnect'
      WHERE ended_at IS NULL RETURNING session_id`;
    return rows.length;
  }
}

/** A start and an end of one session in one batch are one row; the end, once known, wins. */
function merge(prev: SessionRow | undefined, s: StartedSession | ClosedSession): SessionRow {
  const end = 'endedAt' in s ? s : null;
  return {
    sessionId: s.sessionId,
    userA: s.userA,
    userB: s.userB,
    mode: s.mode,
    startedAt: s.startedAt,
    endedAt: end?.endedAt ?? prev?.endedAt ?? null,
    endedBy: end?.endedBy ?? prev?.endedBy ?? null,
    reason: end?.reason ?? prev?.reason ?? null,
  };
}
