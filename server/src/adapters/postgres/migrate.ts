/**
 * Applies the forward-only migrations in `sql/` with umzug. Each file runs, together with the row
 * that records it, as one implicit transaction (simple query protocol), under an advisory lock so
 * several instances starting at once apply each migration exactly once.
 */
import { join } from 'node:path';
import type { Sql } from 'postgres';
import { Umzug } from 'umzug';

export const SQL_DIR = join(import.meta.dir, '../../../../sql');
const LOCK_KEY = 74_736_001; // any constant shared by all instances
const NAME = /^\d{3}_[a-z0-9_]+\.sql$/;

type Db = Sql<Record<string, never>>;

/** Applies pending migrations; returns the names it applied. */
export async function migrate(sql: Db, dir = SQL_DIR): Promise<string[]> {
  const conn = await sql.reserve();
  try {
    await conn`SELECT pg_advisory_lock(${LOCK_KEY})`;
    await conn`CREATE TABLE IF NOT EXISTS schema_migrations (
      name text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())`;
    const umzug = new Umzug({
      migrations: {
        glob: ['*.sql', { cwd: dir }],
        resolve: ({ name, path }) => ({
          name,
          up: async () => {
            if (!NAME.test(name)) throw new Error(`migration file name ${name} must look like 001_name.sql`);
            const text = await Bun.file(path ?? join(dir, name)).text();
            // One simple-protocol query: the migration and its record commit together or not at all.
            await conn.unsafe(`${text}\n;INSERT INTO schema_migrations (name) VALUES ('${name}');`);
          },
        }),
      },
      storage: {
        executed: async () => (await conn<{ name: string }[]>`SELECT name FROM schema_migrations`).map((r) => r.name),
        logMigration: async () => {}, // recorded inside the migration's own transaction
        unlogMigration: async () => {
          throw new Error('migrations are forward only');
        },
      },
      logger: undefined,
    });
    const applied = await umzug.up();
    return applied.map((m) => m.name);
  } finally {
    await conn`SELECT pg_advisory_unlock(${LOCK_KEY})`.catch(() => {});
    conn.release();
  }
}
