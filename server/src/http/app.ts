/**
 * HTTP routes (Hono): health, readiness, metrics and the built browser client.
 * `/ws` never reaches here: main.ts upgrades it with Bun's native WebSocket server.
 */
import { existsSync, statSync } from 'node:fs';
import { join, normalize, resolve } from 'node:path';
import { Hono } from 'hono';
import { type RequestLog, requestLog } from '../observability/http.ts';
import type { Metrics } from '../observability/metrics.ts';

export interface ReadyCheck {
  name: string;
  check: () => Promise<unknown>;
}

export interface AppDeps {
  metrics: Metrics;
  checks: ReadyCheck[];
  clientDir: string;
  draining: () => boolean;
  log: RequestLog;
  /** Extra routes mounted before the client's catch-all (the admin view). */
  mount?: ((app: Hono) => void) | undefined;
}

const CHECK_TIMEOUT_MS = 2000;

async function run(check: ReadyCheck): Promise<string> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${CHECK_TIMEOUT_MS} ms`)), CHECK_TIMEOUT_MS);
  });
  try {
    await Promise.race([check.check(), timeout]);
    return 'ok';
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  } finally {
    clearTimeout(timer);
  }
}

const PLACEHOLDER = `<!doctype html><meta charset="utf-8"><title>Serendip</title>
<body style="font-family:system-ui;max-width:40em;margin:4em auto">
<h1>Serendip</h1><p>The matching server is running. The browser client has not been built
(<code>client/dist</code> is missing); the WebSocket endpoint is <code>/ws</code>.</p></body>`;

export function createApp(d: AppDeps): Hono {
  const app = new Hono();
  app.use(requestLog(d.log));
  app.get('/healthz', (c) => c.json({ ok: true }));
  app.get('/readyz', async (c) => {
    const results = await Promise.all(d.checks.map(async (k) => [k.name, await run(k)] as const));
    const failing = results.filter(([, r]) => r !== 'ok').map(([name]) => name);
    if (d.draining()) failing.push('draining');
    const body = { ok: failing.length === 0, failing, checks: Object.fromEntries(results) };
    return c.json(body, failing.length === 0 ? 200 : 503);
  });
  app.get('/metrics', async (c) =>
    c.body(await d.metrics.text(), 200, { 'Content-Type': d.metrics.registry.contentType }),
  );
  d.mount?.(app);
  app.get('*', (c) => {
    const root = resolve(d.clientDir);
    let pathname: string;
    try {
      pathname = decodeURIComponent(new URL(c.req.url).pathname);
    } catch {
      return c.json({ error: 'bad path' }, 400);
    }
    const path = normalize(join(root, pathname));
    if (!path.startsWith(root)) return c.json({ error: 'not found' }, 404);
    if (existsSync(path) && statSync(path).isFile()) return new Response(Bun.file(path));
    const index = join(root, 'index.html');
    if (existsSync(index)) return new Response(Bun.file(index));
    return c.html(PLACEHOLDER);
  });
  app.notFound((c) => c.json({ error: 'not found' }, 404));
  // requestLog logs the failure with its request id; the client gets no stack trace.
  app.onError((_error, c) => c.json({ error: 'internal error' }, 500));
  return app;
}
