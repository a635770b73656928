/** Device blocks are kept in PostgreSQL for good; the matcher's copy (Redis) is reloaded from here when lost. */
import type { Db } from './db.ts';

/** Every block that involves one of `devices`, as pairs (a report blocks both ways). */
export async function blocksOf(sql: Db, devices: string[]): Promise<[string, string][]> {
  if (devices.length === 0) return [];
  const rows = await sql<{ a: string; b: string }[]>`
    SELECT a, b FROM device_blocks WHERE a = ANY(${devices}::text[])
    UNION SELECT a, b FROM device_blocks WHERE b = ANY(${devices}::text[])`;
  return rows.map((r) => [r.a, r.b]);
}
