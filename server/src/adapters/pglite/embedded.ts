/**
 * Embedded PostgreSQL for a machine with nothing installed: PGlite (Postgres compiled to WASM)
 * with its data in `dataDir`, served on a loopback port, so the server talks to it with the same
 * postgres.js client and the same SQL as to a real PostgreSQL.
 *
 * It runs in child processes, so that its memory is not the server's (measured under a churn of
 * ~1,500-3,900 pairs a second):
 * - initdb (init.ts) takes ~800 MB that a process never gives back, so a new data directory is
 *   made by a child that then exits;
 * - the server itself (serve.ts): in the server's own process PGlite's WASM memory made the
 *   garbage collector let the server's garbage reach several hundred MB (RSS 350-810 MB, against
 *   ~200 MB with an outside PostgreSQL). The child bounds its own memory (it replaces its PGlite
 *   when its heap has grown by 96 MB), exits when the server is gone (its stdin closes), and is
 *   started again on the same port if it dies: postgres.js reconnects and the journal writes
 *   what it held on its next try, so nothing is lost.
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Subprocess } from 'bun';

export interface Embedded {
  url: string;
  stop(): Promise<void>;
}

export interface EmbeddedOptions {
  /** A recycle happened (for the log), with the heap growth that caused it. */
  onRecycle?: (grownBytes: number) => void;
  /** The embedded server died unexpectedly and is being started again: its exit code, and what it wrote to stderr. */
  onRestart?: (exitCode: number | null, stderr: string) => void;
}

const SERVE = join(import.meta.dir, 'serve.ts');

export async function startEmbeddedPostgres(dataDir: string, o: EmbeddedOptions = {}): Promise<Embedded> {
  const dir = join(dataDir, 'pglite');
  mkdirSync(dir, { recursive: true });
  await awaitLeftover(dir);
  if (!existsSync(join(dir, 'PG_VERSION'))) await initialize(dir);
  let stopping = false;
  let child = await serve(dir, 0, o);
  const port = child.port;
  const watch = (c: Served) => {
    void c.proc.exited.then(async (code) => {
      if (stopping) return;
      o.onRestart?.(code, (await c.stderr).trim());
      for (let wait = 200; !stopping; wait = Math.min(wait * 2, 5000)) {
        await Bun.sleep(wait);
        try {
          child = await serve(dir, port, o);
          watch(child);
          return;
        } catch {
          // e.g. the port still held a moment: try again
        }
      }
    });
  };
  watch(child);
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    async stop() {
      stopping = true;
      await end(child.proc);
    },
  };
}

interface Served {
  proc: Subprocess<'pipe', 'pipe', 'pipe'>;
  port: number;
  /** The end of what it wrote to stderr, once it has exited. */
  stderr: Promise<string>;
}

/** Starts serve.ts and waits for the port it listens on (30 s at most). */
async function serve(dir: string, port: number, o: EmbeddedOptions): Promise<Served> {
  // --smol: a smaller heap, collected more often (10-25 MB less RSS; the CPU is PGlite's, not the collector's).
  const proc = Bun.spawn([process.execPath, '--smol', SERVE, dir, String(port)], {
    stdin: 'pipe',
    stdout: 'pipe',
    stderr: 'pipe',
  });
  const stderr = tail(proc.stderr, 2000).catch(() => '');
  const lines = readLines(proc.stdout);
  const first = await Promise.race([
    lines.next(),
    Bun.sleep(30_000).then(() => ({ done: true as const, value: undefined })),
  ]);
  if (first.done || first.value === undefined) {
    proc.kill('SIGKILL');
    const why = await stderr;
    throw new Error(`embedded PostgreSQL did not start on ${dir}: ${why.trim() || 'no output'}`);
  }
  // Read to the end whatever it prints, so that its stdout never fills and blocks it.
  void (async () => {
    for await (const line of lines) {
      const recycled = said(line)?.recycled;
      if (typeof recycled === 'number') o.onRecycle?.(recycled);
    }
  })().catch(() => {});
  const listening = said(first.value)?.port;
  if (typeof listening !== 'number') {
    proc.kill('SIGKILL');
    throw new Error(`embedded PostgreSQL did not start on ${dir}: it said ${first.value.slice(0, 200)}`);
  }
  return { proc, port: listening, stderr };
}

/** A line serve.ts printed, or null if it is not one of its JSON lines. */
function said(line: string): { port?: number; recycled?: number } | null {
  try {
    return JSON.parse(line) as { port?: number; recycled?: number };
  } catch {
    return null;
  }
}

/** The last `max` characters a stream carries, when it ends (a child's stderr: it runs for days). */
async function tail(stream: ReadableStream<Uint8Array>, max: number): Promise<string> {
  const decoder = new TextDecoder();
  const reader = stream.getReader();
  let kept = '';
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return kept;
    kept = (kept + decoder.decode(value, { stream: true })).slice(-max);
  }
}

async function* readLines(stream: ReadableStream<Uint8Array>): AsyncGenerator<string> {
  const decoder = new TextDecoder();
  const reader = stream.getReader();
  let held = '';
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return;
    held += decoder.decode(value, { stream: true });
    for (let nl = held.indexOf('\n'); nl >= 0; nl = held.indexOf('\n')) {
      const line = held.slice(0, nl);
      held = held.slice(nl + 1);
      if (line) yield line;
    }
  }
}

/** SIGTERM (PGlite closes cleanly), SIGKILL after 10 s. */
async function end(proc: Subprocess): Promise<void> {
  proc.kill('SIGTERM');
  const timeout = setTimeout(() => proc.kill('SIGKILL'), 10_000);
  await proc.exited;
  clearTimeout(timeout);
}

/**
 * A server killed with -9 leaves its child closing PGlite (it exits when its stdin closes): wait
 * for it (10 s, then it is ended), so that two never hold the data directory.
 */
async function awaitLeftover(dir: string): Promise<void> {
  let pid: number;
  try {
    pid = Number(readFileSync(join(dir, 'serve.pid'), 'utf8'));
  } catch {
    return;
  }
  const alive = () => {
    try {
      return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(SERVE);
    } catch {
      return false;
    }
  };
  for (let i = 0; i < 100 && alive(); i++) {
    if (i === 50) process.kill(pid, 'SIGTERM');
    await Bun.sleep(100);
  }
  if (alive()) process.kill(pid, 'SIGKILL');
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
