/**
 * The durable record: PostgreSQL at DATABASE_URL, or embedded PostgreSQL (PGlite) in DATA_DIR
 * when it is unset; migrated, with the journal pumped into it and the bans read from it.
 */
import { type Embedded, startEmbeddedPostgres } from '../adapters/pglite/embedded.ts';
import { PostgresBans } from '../adapters/postgres/bans.ts';
import { blocksOf } from '../adapters/postgres/blocks.ts';
import { connect, type Db } from '../adapters/postgres/db.ts';
import { migrate } from '../adapters/postgres/migrate.ts';
import { PostgresModerationRecords } from '../adapters/postgres/moderation-records.ts';
import { forget } from '../adapters/postgres/retention.ts';
import { PostgresSessionLog } from '../adapters/postgres/session-log.ts';
import { sharedSecret } from '../adapters/postgres/settings.ts';
import { type Config, ConfigError } from '../config.ts';
import type { ReadyCheck } from '../http/app.ts';
import { JournalPump } from '../journal/pump.ts';
import type { Log } from '../log.ts';
import type { Journal, JournalRecord, Moderation, ModerationRecords } from '../ports.ts';

export interface Database {
  sql: Db;
  /** Moves the journal into PostgreSQL. */
  pump: JournalPump;
  /** Reports go into the journal; bans come from PostgreSQL (cached). */
  moderation: Moderation;
  check: ReadyCheck;
  /** Every block involving these devices (blocks are kept in PostgreSQL for good). */
  blocksOf(devices: string[]): Promise<[string, string][]>;
  /** The bans, cached (refresh() after a change made here, e.g. by /admin). */
  bans: PostgresBans;
  /** Reports and bans as /admin reads and changes them. */
  records: ModerationRecords;
  /** Secrets every instance shares: IDENTITY_SECRET and RESUME_SECRET, or made once and kept here. */
  secrets: { identity: string; resume: string };
  /** Writes what is left of the journal (5 s at most), then closes the connection (and the embedded server). */
  stop(): Promise<void>;
}

export interface DatabaseHooks {
  /** A batch could not be written (it is retried). */
  onWriteError: () => void;
  /** Entries refused for their data, dropped for good. */
  onRejected: (records: JournalRecord[]) => void;
}

export async function openDatabase(
  config: Config,
  log: Log,
  journal: Journal,
  hooks: DatabaseHooks,
): Promise<Database> {
  let embedded: Embedded | null = null;
  let url = config.databaseUrl;
  if (!url) {
    embedded = await startEmbeddedPostgres(config.dataDir, {
      onRecycle: (grown) =>
        log.info({ grownMb: Math.round(grown / 2 ** 20) }, 'embedded PostgreSQL recycled to give its memory back'),
      onRestart: (code, stderr) => log.error({ code, stderr }, 'embedded PostgreSQL exited; starting it again'),
    });
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
  const bans = new PostgresBans(sql, config.safety.shadowReporters);
  const sessionLog = new PostgresSessionLog(sql, {
    onReports: () => void bans.refresh().catch(() => {}),
    autoBan: config.safety.autoBan,
  });
  const secrets = {
    identity: config.safety.identitySecret ?? (await sharedSecret(sql, 'identity_secret')),
    resume: config.resumeSecret ?? (await sharedSecret(sql, 'resume_secret')),
  };
  if (!config.redisUrl) {
    // Single instance: whatever a crashed earlier run left open is closed (Redis's sweep does it otherwise).
    const n = await sessionLog.closeOrphans();
    if (n > 0) log.warn({ sessions: n }, 'closed sessions a previous run left open');
  }
  const pump = new JournalPump(journal, sessionLog, {
    onError: (err, held) => {
      hooks.onWriteError();
      log.error({ err: (err as Error).message, held }, 'session log write failed; will retry');
    },
    onRejected: (records) => {
      hooks.onRejected(records);
      // Ids only: the refused text itself may be what is wrong, and reports are private.
      log.error({ entries: records.map((r) => r.id) }, 'session log entries refused by PostgreSQL; dropped');
    },
  });
  await bans.start(10_000, (err) => log.warn({ err: (err as Error).message }, 'ban refresh failed'));
  pump.start();
  const retention = everyHour(async () => {
    const gone = await forget(sql, config.safety.retention);
    if (Object.values(gone).some((n) => n > 0)) log.info({ ...gone, ...config.safety.retention }, 'forgot old rows');
  }, log);
  return {
    sql,
    pump,
    moderation: {
      report: (r) => pump.append({ kind: 'reported', report: { ...r, at: Date.now() } }),
      banOf: (who) => bans.banOf(who),
      shadowed: (device) => config.safety.shadowReporters > 0 && bans.shadowed(device),
    },
    bans,
    records: new PostgresModerationRecords(sql, () => bans.refresh()),
    secrets,
    check: { name: 'postgres', check: () => sql`SELECT 1` },
    blocksOf: (devices) => blocksOf(sql, devices),
    stop: async () => {
      clearInterval(retention);
      bans.stop();
      await pump.stop(5000);
      if (pump.pending() > 0) log.error({ held: pump.pending() }, 'session log not fully written at shutdown');
      await sql.end({ timeout: 2 });
      await embedded?.stop();
    },
  };
}

/** Runs `work` now and every hour, off the critical path; a failure is logged and retried next time. */
function everyHour(work: () => Promise<void>, log: Log): ReturnType<typeof setInterval> {
  const run = () => work().catch((err) => log.warn({ err: (err as Error).message }, 'forgetting old rows failed'));
  setTimeout(run, 5000).unref();
  const timer = setInterval(run, 3_600_000);
  timer.unref();
  return timer;
}
