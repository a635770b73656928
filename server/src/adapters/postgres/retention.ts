/**
 * What is kept, and for how long (README, "Privacy"): session rows and the connection rows they
 * name for `days`; reports (and the address hash they name) for `reportDays`; device blocks for
 * good (a reported pair must never meet again); bans until they end, and a year after. Run by
 * every instance now and then; the deletes are idempotent, so several at once do no harm.
 */
import type { Db } from './db.ts';

export interface Retention {
  /** Sessions and the connections (user rows) in them. */
  days: number;
  /** Reports, which moderators need longer. */
  reportDays: number;
}

/** Deletes what is past its time; resolves with how many rows went. */
export async function forget(
  sql: Db,
  r: Retention,
): Promise<{ sessions: number; users: number; reports: number; bans: number }> {
  const sessions = await sql`DELETE FROM sessions WHERE started_at < now() - make_interval(days => ${r.days})`;
  const reports = await sql`DELETE FROM reports WHERE created_at < now() - make_interval(days => ${r.reportDays})`;
  const bans = await sql`DELETE FROM bans WHERE (lifted_at IS NOT NULL OR expires_at IS NOT NULL)
    AND COALESCE(lifted_at, expires_at) < now() - interval '365 days'`;
  const users = await sql`DELETE FROM users u WHERE u.last_seen_at < now() - make_interval(days => ${r.days})
    AND NOT EXISTS (SELECT 1 FROM sessions s WHERE s.user_a = u.id OR s.user_b = u.id)
    AND NOT EXISTS (SELECT 1 FROM reports x WHERE x.reporter = u.id OR x.reported = u.id)
    AND NOT EXISTS (SELECT 1 FROM blocks b WHERE b.blocker = u.id OR b.blocked = u.id)`;
  return { sessions: sessions.count, users: users.count, reports: reports.count, bans: bans.count };
}
