/**
 * Embedded PostgreSQL for a machine with nothing installed: PGlite (Postgres compiled to WASM)
 * with its data in `dataDir`, served on a loopback port by pglite-socket so the server talks to
 * it with the same postgres.js client and the same SQL as to a real PostgreSQL.
 *
 * Memory, measured under a churn of ~1,400 pairs a second: PGlite's initdb alone takes ~800 MB
 * that a process never gives back, so a new data directory is made in a child process (init.ts);
 * and what PGlite keeps on the JavaScript side grows with what it has written (the server's heap
 * from 40 MB to ~800 MB within a minute), while a new PGlite on the same data starts small and the
 * old one's memory is collected. So the embedded server is recycled when the heap has grown by
 * `maxGrowthBytes` since it started: its connections drop, postgres.js reconnects, and the journal
 * writes what it held on the next try (nothing is lost).
 */
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';

export interface Embedded {
  url: string;
  stop(): Promise<void>;
}

/** Small buffers: one instance's session log, not a shared database. */
const SMALL = ['shared_buffers = 16MB', 'wal_buffers = 1MB', 'work_mem = 2MB', 'maintenance_work_mem = 16MB'];

export interface EmbeddedOptions {
  /** Past this much heap growth since it (re)started, the embedded server is recycled (default 96 MB). */
  maxGrowthBytes?: number;
  /** A recycle happened (for the log), with the growth that caused it. */
  onRecycle?: (grownBytes: number) => void;
}

export async function startEmbeddedPostgres(dataDir: string, o: EmbeddedOptions = {}): Promise<Embedded> {
  const dir = join(dataDir, 'pglite');
  mkdirSync(dir, { recursive: true });
  if (!existsSync(join(dir, 'PG_VERSION'))) await initialize(dir);
  let db = await PGlite.create(dir, { postgresqlconf: SMALL });
  let server = new PGLiteSocketServer({ db, host: '127.0.0.1', port: 0 });
  await server.start();
  const conn = server.getServerConn();
  const port = Number(conn.split(':').pop());
  const max = o.maxGrowthBytes ?? 96 * 1024 * 1024;
  let base = process.memoryUsage().heapUsed;
  let busy = false;
  const timer = setInterval(async () => {
    const grown = process.memoryUsage().heapUsed - base;
    if (busy || grown < max) return;
    busy = true;
    try {
      await server.stop();
      await db.close();
      db = await PGlite.create(dir, { postgresqlconf: SMALL });
      server = new PGLiteSocketServer({ db, host: '127.0.0.1', port });
      await server.start();
      Bun.gc(true);
      base = process.memoryUsage().heapUsed;
      o.onRecycle?.(grown);
    } finally {
      busy = false;
    }
  }, 5000);
  timer.unref();
  return {
    url: `postgres://postgres@${conn}/postgres`,
    async stop() {
      clearInterval(timer);
      await server.stop();
      await db.close();
    },
  };
}

/** initdb in a child process, whose memory goes with it (see init.ts). */
async function initialize(dir: string): Promise<void> {
  const child = Bun.spawn([process.execPath, join(import.meta.dir, 'init.ts'), dir], {
    stdout: 'ignore',
    stderr: 'pipe',
  });
  if ((await child.exited) !== 0) {
    throw new Error(`embedded PostgreSQL could not create ${dir}: ${await new Response(child.stderr).text()}`);
  }
}
