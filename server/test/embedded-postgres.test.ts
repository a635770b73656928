/**
 * The embedded PostgreSQL (PGlite) of a server started with no DATABASE_URL runs in a child
 * process of its own: it is started again if it dies (and what the server wrote before and after
 * is there), and it does not outlive a server killed with -9 (a new server on the same data
 * directory starts, with the old sessions in it).
 */
import { afterAll, expect, test } from 'bun:test';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pairText, TestClient } from './support/client.ts';
import { freshStores, startServer } from './support/server.ts';

const stores = await freshStores('embedded');
afterAll(() => stores.drop());

/** The PGlite server children of `pid` (serve.ts). */
function embeddedChildren(pid: number): number[] {
  let kids: string;
  try {
    kids = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8');
  } catch {
    return [];
  }
  return kids
    .split(' ')
    .filter(Boolean)
    .map(Number)
    .filter((kid) => {
      try {
        return readFileSync(`/proc/${kid}/cmdline`, 'utf8').includes('pglite/serve.ts');
      } catch {
        return false;
      }
    });
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function until<T>(what: string, probe: () => T | Promise<T>, ms = 20_000): Promise<NonNullable<T>> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (v) return v as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await Bun.sleep(100);
  }
}

/** Two users meet and one skips: one session, started and ended. */
async function oneSession(ws: string): Promise<string> {
  const a = await TestClient.hello(ws);
  const b = await TestClient.hello(ws);
  try {
    const sessionId = await pairText(a, b);
    a.send({ type: 'skip', sessionId });
    await b.next('peerLeft');
    return sessionId;
  } finally {
    a.close();
    b.close();
  }
}

const ready = async (url: string) => (await fetch(`${url}/readyz`).catch(() => null))?.status === 200;

test('a PGlite child that dies is started again, and the session log goes on', async () => {
  const server = await startServer(stores.env);
  let stopped = false;
  try {
    const [first] = await until('the embedded PostgreSQL child', () => embeddedChildren(server.pid));
    expect(first).toBeNumber();
    const before = await oneSession(server.ws);
    process.kill(first as number, 'SIGKILL');
    const [second] = await until('a new child', () => {
      const kids = embeddedChildren(server.pid).filter((k) => k !== first);
      return kids.length > 0 ? kids : null;
    });
    expect(second).not.toBe(first);
    await until('/readyz to pass again', () => ready(server.url));
    const after = await oneSession(server.ws);
    expect(await server.stop()).toBe(0);
    stopped = true;
    expect(alive(second as number)).toBe(false);
    const rows = await stores.sessions();
    for (const id of [before, after]) {
      const row = rows.find((r) => r.session_id === id);
      expect(row?.ended_at).toBeInstanceOf(Date);
      expect(row?.end_reason).toBe('skip');
    }
    expect(server.output()).toContain('embedded PostgreSQL exited; starting it again');
  } finally {
    if (!stopped) await server.kill();
  }
}, 60_000);

test('a server killed with -9 leaves no PGlite behind, and the next one starts on the same data', async () => {
  const server = await startServer(stores.env);
  let child: number | undefined;
  let before: string;
  try {
    [child] = await until('the embedded PostgreSQL child', () => embeddedChildren(server.pid));
    before = await oneSession(server.ws);
    // The journal writes within a second or so; give it that, then die without cleaning up.
    await until('the session written', async () => {
      const res = await fetch(`${server.url}/metrics`);
      return /^sessionlog_journal_entries(?:\{[^}]*\})? 0$/m.test(await res.text()) || null;
    });
  } finally {
    await server.kill();
  }
  await until('the orphaned child to exit', () => !alive(child as number), 15_000);
  const next = await startServer(stores.env);
  try {
    expect(await ready(next.url)).toBe(true);
    await oneSession(next.ws);
  } finally {
    expect(await next.stop()).toBe(0);
  }
  const rows = await stores.sessions();
  expect(rows.find((r) => r.session_id === before)?.end_reason).toBe('skip');
  expect(readFileSync(join(stores.env.DATA_DIR as string, 'pglite', 'PG_VERSION'), 'utf8').trim()).not.toBe('');
}, 60_000);
