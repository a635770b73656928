/** Blocks are kept in PostgreSQL for good; the matcher's copy (Redis) is reloaded from here when lost. */
import type { Db } from './db.ts';

/** Every block that involves one of `userIds`, as (blocker, blocked). */
export async function blocksOf(sql: Db, userIds: string[]): Promise<[string, string][]> {
  if (userIds.length === 0) return [];
  const rows = await sql<{ blocker: string; blocked: string }[]>`
    SELECT blocker, blocked FROM blocks WHERE blocker = ANY(${userIds}::text[]) OR blocked = ANY(${userIds}::text[])`;
  return rows.map((r) => [r.blocker, r.blocked]);
}
