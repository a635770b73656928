/**
 * The durable record: PostgreSQL at DATABASE_URL, or embedded PostgreSQL (PGlite) in DATA_DIR
 * when it is unset; migrated, with the session log (sessions, reports, bans) running on it.
 */
import { type Embedded, startEmbeddedPostgres } from '../adapters/pglite/embedded.ts';
import { connect, type Db } from '../adapters/postgres/db.ts';
import { migrate } from '../adapters/postgres/migrate.ts';
import { PostgresSessionLog } from '../adapters/postgres/session-log.ts';
import { type Config, ConfigError } from '../config.ts';
import type { ReadyCheck } from '../http/app.ts';
import type { Log } from '../log.ts';

export interface Database {
  sql: Db;
  sessionLog: PostgresSessionLog;
  check: ReadyCheck;
  /** Flushes the session log, then closes the connection (and the embedded server). */
  stop(): Promise<void>;
}

export async function openDatabase(config: Config, log: Log, onWriteError: () => void): Promise<Database> {
  let embedded: Embedded | null = null;
  let url = config.databaseUrl;
  if (!url) {
    embedded = await startEmbeddedPostgres(config.dataDir);
    url = embedded.url;
    log.info({ dataDir: config.dataDir }, 'DATABASE_URL is not set: embedded PostgreSQL (PGlite)');
  }
  const sql = connect(url, { max: embedded ? 1 : 10 });
  try {
    const applied = await migrate(sql);
    if (applied.length > 0) log.info({ applied }, 'migrations applied');
  } catch (error) {
    throw new ConfigError(`DATABASE_URL: cannot prepare the database (${(error as Error).message})`);
  }
  const sessionLog: PostgresSessionLog = new PostgresSessionLog(sql, {
    onError: (err) => {
      onWriteError();
      log.error({ err: (err as Error).message, pending: sessionLog.pending() }, 'session log write failed; will retry');
    },
  });
  if (!config.redisUrl) {
    // Single instance: whatever a crashed earlier run left open is closed (Redis's sweep does it otherwise).
    const n = await sessionLog.closeOrphans();
    if (n > 0) log.warn({ sessions: n }, 'closed sessions a previous run left open');
  }
  await sessionLog.start();
  return {
    sql,
    sessionLog,
    check: { name: 'postgres', check: () => sql`SELECT 1` },
    stop: async () => {
      await sessionLog.stop().catch((err) => log.error({ err: err.message }, 'final session log flush failed'));
      await sql.end({ timeout: 2 });
      await embedded?.stop();
    },
  };
}
