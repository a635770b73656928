/**
 * Starts a real server process (`bun server/src/main.ts`) for a test, on a free port, with a
 * Redis key prefix and a PostgreSQL database (or embedded data dir) of its own.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import postgres from 'postgres';

export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
export const PG_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const ROOT = join(import.meta.dir, '../../..');

export type Backend = 'real' | 'embedded';

export interface Stores {
  backend: Backend;
  env: Record<string, string>;
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

export interface RunningServer {
  pid: number;
  url: string;
  ws: string;
  stop(): Promise<number>;
  /** SIGKILL: the instance dies without cleaning up. */
  kill(): Promise<void>;
  output(): string;
}

/** A free TCP port on 127.0.0.1 (the OS picks; we release it at once). */
export async function freePort(): Promise<number> {
  const s = Bun.listen({ hostname: '127.0.0.1', port: 0, socket: { data() {} } });
  const port = s.port;
  s.stop(true);
  return port;
}

/** Spawns the server and waits until /healthz answers. `env.PORT` picks the port (else a free one). */
export async function startServer(env: Record<string, string>, bunArgs: string[] = []): Promise<RunningServer> {
  const port = env.PORT ? Number(env.PORT) : await freePort();
  let out = '';
  const proc = Bun.spawn(['bun', ...bunArgs, 'server/src/main.ts'], {
    cwd: ROOT,
    env: { ...process.env, LOG_LEVEL: 'warn', PORT: String(port), HOST: '127.0.0.1', ...env },
    stdout: 'pipe',
    stderr: 'pipe',
  });
  const collect = async (stream: ReadableStream<Uint8Array>) => {
    const reader = stream.getReader();
    const decoder = new TextDecoder();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      out += decoder.decode(value, { stream: true });
    }
  };
  void collect(proc.stdout);
  void collect(proc.stderr);
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (proc.exitCode !== null) throw new Error(`server exited with ${proc.exitCode}:\n${out}`);
    try {
      if ((await fetch(`${url}/healthz`)).ok) break;
    } catch {}
    if (Date.now() > deadline) throw new Error(`server did not start:\n${out}`);
    await Bun.sleep(50);
  }
  return {
    pid: proc.pid,
    url,
    ws: `ws://127.0.0.1:${port}/ws`,
    output: () => out,
    async kill() {
      proc.kill('SIGKILL');
      await proc.exited;
    },
    async stop() {
      proc.kill('SIGTERM');
      const code = await proc.exited;
      return code;
    },
  };
}
