/**
 * The stores a load run uses. Redis: a private `redis-server` started for the run (so its CPU and
 * its command counts are this run's alone, even on a machine whose shared Redis serves other
 * jobs), or REDIS_URL / --redis-url when given. PostgreSQL: a fresh database on DATABASE_URL's
 * server, dropped afterwards, so its session rows are this run's alone.
 */
import Redis from 'ioredis';
import postgres from 'postgres';
import { freePort } from '../../scripts/lib/server-process.ts';

/** The run's Redis and PostgreSQL, and what the checks ask of them. */
export interface Stores {
  redisUrl: string;
  /** The Redis server's pid when it runs on this machine (for its CPU time). */
  redisPid: number | null;
  privateRedis: boolean;
  databaseUrl: string;
  prefix: string;
  /** EVALSHA + EVAL calls Redis has served so far. */
  scriptCalls(): Promise<number>;
  /** Session rows in PostgreSQL, and how many have no end yet. */
  sessionRows(): Promise<{ total: number; open: number }>;
  /** What this run left in Redis: queued users, user records, sessions still open. */
  leftovers(): Promise<{ queued: number; users: number; openSessions: number; journal: number }>;
  close(): Promise<void>;
}

const PG_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

async function privateRedis(): Promise<{ url: string; stop: () => Promise<void>; pid: number } | null> {
  if (!Bun.which('redis-server')) return null;
  const port = await freePort();
  const proc = Bun.spawn(
    ['redis-server', '--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    { stdout: 'ignore', stderr: 'ignore' },
  );
  const url = `redis://127.0.0.1:${port}`;
  const probe = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  probe.on('error', () => {}); // refused until redis-server listens; the loop below retries
  for (let i = 0; i < 50; i++) {
    try {
      await probe.connect();
      await probe.ping();
      break;
    } catch {
      probe.disconnect();
      await Bun.sleep(100);
    }
  }
  probe.disconnect();
  return {
    url,
    pid: proc.pid,
    stop: async () => {
      proc.kill('SIGTERM');
      await proc.exited;
    },
  };
}

/** Opens the run's stores; `redisUrl` (or REDIS_URL) means "use that Redis, do not start one". */
export async function openStores(redisUrl: string | undefined): Promise<Stores> {
  const id = `load${crypto.randomUUID().replaceAll('-', '').slice(0, 10)}`;
  const own = redisUrl ? null : await privateRedis();
  const url = own?.url ?? redisUrl ?? 'redis://127.0.0.1:6379';
  const redis = new Redis(url, { maxRetriesPerRequest: 2 });
  const info = await redis.info('server');
  const pid = own?.pid ?? (Number(info.match(/process_id:(\d+)/)?.[1]) || null);

  const admin = postgres(PG_URL, { max: 1, onnotice: () => {} });
  await admin.unsafe(`CREATE DATABASE ${id}`);
  const dbUrl = new URL(PG_URL);
  dbUrl.pathname = `/${id}`;
  const P = `{${id}}:`;

  const countKeys = async (pattern: string) => {
    let cursor = '0';
    let n = 0;
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
      cursor = next;
      n += keys.length;
    } while (cursor !== '0');
    return n;
  };

  return {
    redisUrl: url,
    redisPid: pid,
    privateRedis: own !== null,
    databaseUrl: dbUrl.toString(),
    prefix: id,
    async scriptCalls() {
      const stats = await redis.info('commandstats');
      const calls = (name: string) => Number(stats.match(new RegExp(`cmdstat_${name}:calls=(\\d+)`))?.[1] ?? 0);
      return calls('evalsha') + calls('eval');
    },
    async sessionRows() {
      const sql = postgres(dbUrl.toString(), { max: 1, onnotice: () => {} });
      try {
        const [row] =
          await sql`SELECT count(*)::int AS total, count(*) FILTER (WHERE ended_at IS NULL)::int AS open FROM sessions`;
        return { total: row?.total ?? 0, open: row?.open ?? 0 };
      } finally {
        await sql.end();
      }
    },
    async leftovers() {
      const queued = (await redis.zcard(`${P}q:text`)) + (await redis.zcard(`${P}q:video`));
      let openSessions = 0;
      let cursor = '0';
      do {
        const [next, keys] = await redis.scan(cursor, 'MATCH', `${P}s:*`, 'COUNT', 1000);
        cursor = next;
        for (const k of keys) if ((await redis.hget(k, 'st')) === 'open') openSessions++;
      } while (cursor !== '0');
      // The journal: session starts and ends (and reports) not yet in PostgreSQL.
      const journal = await redis.xlen(`${P}journal`);
      return { queued, users: await countKeys(`${P}u:*`), openSessions, journal };
    },
    async close() {
      redis.disconnect();
      await admin.unsafe(`DROP DATABASE IF EXISTS ${id} WITH (FORCE)`);
      await admin.end();
      await own?.stop();
    },
  };
}
