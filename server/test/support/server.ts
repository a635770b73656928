/**
 * What an integration test needs around a real server process: fresh stores (a Redis key prefix
 * and a PostgreSQL database, or an embedded data dir) and the launcher itself
 * (`scripts/lib/server-process.ts`, re-exported).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import postgres from 'postgres';

export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
export const PG_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export type Backend = 'real' | 'embedded';

export interface Stores {
  backend: Backend;
  env: Record<string, string>;
  /** `env` with a Redis key prefix of its own (real), so one test's servers never see another's users. */
  isolated(): Record<string, string>;
  /** Rows of the sessions table (after the servers using these stores have stopped, for embedded). */
  sessions(): Promise<
    { session_id: string; ended_at: Date | null; end_reason: string | null; ended_by: string | null }[]
  >;
  drop(): Promise<void>;
}

/** Fresh stores: a Redis prefix and database for `real`, a temp data dir for `embedded`. */
export async function freshStores(backend: Backend): Promise<Stores> {
  const id = `t${crypto.randomUUID().replaceAll('-', '').slice(0, 12)}`;
  if (backend === 'embedded') {
    const dataDir = mkdtempSync(join(tmpdir(), 'serendip-'));
    return {
      backend,
      env: { DATA_DIR: dataDir },
      isolated: () => ({ DATA_DIR: dataDir }),
      async sessions() {
        const { PGlite } = await import('@electric-sql/pglite');
        const db = await PGlite.create(join(dataDir, 'pglite'));
        try {
          return (await db.query('SELECT session_id, ended_at, end_reason, ended_by FROM sessions')).rows as never;
        } finally {
          await db.close();
        }
      },
      async drop() {
        rmSync(dataDir, { recursive: true, force: true });
      },
    };
  }
  const admin = postgres(PG_URL, { max: 1, onnotice: () => {} });
  await admin.unsafe(`CREATE DATABASE ${id}`);
  await admin.end();
  const url = new URL(PG_URL);
  url.pathname = `/${id}`;
  return {
    backend,
    env: { REDIS_URL, DATABASE_URL: url.toString(), REDIS_PREFIX: id },
    isolated: () => ({
      REDIS_URL,
      DATABASE_URL: url.toString(),
      REDIS_PREFIX: `${id}-${crypto.randomUUID().slice(0, 6)}`,
    }),
    async sessions() {
      const sql = postgres(url.toString(), { max: 1, onnotice: () => {} });
      try {
        return (await sql`SELECT session_id, ended_at, end_reason, ended_by FROM sessions`) as never;
      } finally {
        await sql.end();
      }
    },
    async drop() {
      const a = postgres(PG_URL, { max: 1, onnotice: () => {} });
      await a.unsafe(`DROP DATABASE IF EXISTS ${id} WITH (FORCE)`);
      await a.end();
    },
  };
}

// The process launcher is shared with the load runner and scripts; tests keep importing it from here.
export { freePort, type RunningServer, startServer } from '../../../scripts/lib/server-process.ts';
