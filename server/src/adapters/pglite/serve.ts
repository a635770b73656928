/**
 * The embedded PostgreSQL server, in a process of its own (embedded.ts runs this as a child):
 * PGlite on `dir`, served on a loopback port by pglite-socket.
 *
 *   bun server/src/adapters/pglite/serve.ts <dir> [port]
 *
 * It prints `{"port":N}` once it listens, then `{"recycled":bytes}` each time it replaces its PGlite
 * (below). It closes PGlite cleanly and exits on SIGTERM or SIGINT, or when its stdin closes: the
 * server that started it is gone, even by kill -9, and nothing else may keep the data directory.
 *
 * Why a process of its own: PGlite's WASM memory and the buffers of its socket count as the
 * server's "extra memory", so in the server's process the garbage collector let the server's own
 * garbage grow to several hundred MB between collections (RSS 350-810 MB under a churn, against
 * ~200 MB with an outside PostgreSQL). Here its memory is its own, and bounded: what PGlite keeps
 * on the JavaScript side grows with what it has written, so when this process's heap has grown by
 * 96 MB since PGlite started, PGlite is replaced by a new one on the same data and
 * the same port (connections drop, postgres.js reconnects, the journal writes what it held on its
 * next try: nothing is lost).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';

/** Small buffers: one instance's session log, not a shared database. */
const SMALL = ['shared_buffers = 16MB', 'wal_buffers = 1MB', 'work_mem = 2MB', 'maintenance_work_mem = 16MB'];

const dir = process.argv[2];
if (!dir) throw new Error('usage: serve.ts <dir> [port]');
/** Heap growth since PGlite started past which it is replaced (see above). */
const MAX_GROWTH = 96 * 2 ** 20;

let db = await PGlite.create(dir, { postgresqlconf: SMALL });
let server = new PGLiteSocketServer({ db, host: '127.0.0.1', port: Number(process.argv[3] ?? 0) });
await server.start();
const port = Number(server.getServerConn().split(':').pop());
// Who holds the data directory: a server started after a kill -9 ends a child left behind first.
writeFileSync(join(dir, 'serve.pid'), String(process.pid));
const say = (line: object) => process.stdout.write(`${JSON.stringify(line)}\n`);
say({ port });

let base = process.memoryUsage().heapUsed;
let busy = false;
const timer = setInterval(async () => {
  const grown = process.memoryUsage().heapUsed - base;
  if (busy || grown < MAX_GROWTH) return;
  busy = true;
  try {
    await server.stop();
    await db.close();
    db = await PGlite.create(dir, { postgresqlconf: SMALL });
    server = new PGLiteSocketServer({ db, host: '127.0.0.1', port });
    await server.start();
    Bun.gc(true);
    base = process.memoryUsage().heapUsed;
    say({ recycled: grown });
  } finally {
    busy = false;
  }
}, 5000);

let closing: Promise<never> | null = null;
/** Once, whichever asks first (a signal, or stdin closing). */
function close(): Promise<never> {
  closing ??= (async () => {
    clearInterval(timer);
    await server.stop().catch(() => {});
    await db.close().catch(() => {});
    process.exit(0);
  })();
  return closing;
}
process.on('SIGTERM', close);
process.on('SIGINT', close);
// The parent holds the other end of stdin; when it closes, the parent is gone.
(async () => {
  const reader = Bun.stdin.stream().getReader();
  while (!(await reader.read()).done);
  await close();
})();
