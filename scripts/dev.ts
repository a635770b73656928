/**
 * `bun run dev`: the whole stack for development, stopped together on Ctrl-C.
 *
 *   http://localhost:$PORT (3000)  Vite: the browser client with hot reload; it forwards /ws,
 *                                  /healthz, /readyz, /metrics, /livekit and /admin to the matching server,
 *                                  so the browser sees one origin, as in production
 *   127.0.0.1:$PORT+1              the matching server (embedded defaults unless the environment
 *                                  configures Redis, PostgreSQL, ...), restarted on change
 *   127.0.0.1:7880                 `livekit-server --dev` (key devkey, secret secret) with its
 *                                  webhook pointed at the matching server, when it is installed
 *                                  and LIVEKIT_URL is not set; without it, text chat only
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const root = join(import.meta.dir, '..');
const children: ReturnType<typeof Bun.spawn>[] = [];
let stopping = false;

function start(name: string, cmd: string[], env: Record<string, string> = {}) {
  const proc = Bun.spawn(cmd, { cwd: root, stdout: 'inherit', stderr: 'inherit', env: { ...process.env, ...env } });
  children.push(proc);
  proc.exited.then((code) => {
    if (!stopping) console.error(`[dev] ${name} exited with ${code}`);
  });
  return proc;
}

function stop() {
  stopping = true;
  for (const c of children) c.kill('SIGTERM');
  Promise.all(children.map((c) => c.exited)).then(() => process.exit(0));
}
process.on('SIGINT', stop);
process.on('SIGTERM', stop);

/** livekit-server on PATH, or where `go install` (scripts/setup.mjs) put it. */
function livekitBinary(): string | null {
  const onPath = Bun.which('livekit-server');
  if (onPath) return onPath;
  if (!Bun.which('go')) return null;
  const gopath = spawnSync('go', ['env', 'GOPATH'], { encoding: 'utf8' }).stdout.trim();
  const bin = join(gopath, 'bin', 'livekit-server');
  return existsSync(bin) ? bin : null;
}

async function answers(url: string): Promise<boolean> {
  try {
    return (await fetch(url, { signal: AbortSignal.timeout(500) })).ok;
  } catch {
    return false;
  }
}

const LIVEKIT_PORT = 7880;

/** Starts `livekit-server --dev` and returns the server's LIVEKIT_* environment, or {} for text only. */
async function startLiveKit(serverPort: number): Promise<Record<string, string>> {
  if (process.env.LIVEKIT_URL) {
    console.log(`[dev] using the LiveKit at LIVEKIT_URL=${process.env.LIVEKIT_URL}`);
    return {};
  }
  const bin = livekitBinary();
  if (!bin) {
    console.log(
      '[dev] livekit-server is not installed, so video is off (text chat works). Install Go (https://go.dev/dl/), then run `node scripts/setup.mjs dev` to build it.',
    );
    return {};
  }
  if (await answers(`http://127.0.0.1:${LIVEKIT_PORT}`)) {
    console.log(`[dev] port ${LIVEKIT_PORT} is taken by another LiveKit: video is off. Stop it, or set LIVEKIT_URL.`);
    return {};
  }
  const dataDir = join(root, '.data');
  mkdirSync(dataDir, { recursive: true });
  const config = join(dataDir, 'livekit.yaml');
  // --dev supplies the keys (devkey: secret) and binds to localhost; the file adds the webhook.
  writeFileSync(
    config,
    [
      `port: ${LIVEKIT_PORT}`,
      'logging:',
      '  level: warn',
      'webhook:',
      '  api_key: devkey',
      '  urls:',
      `    - http://127.0.0.1:${serverPort}/livekit/webhook`,
      '',
    ].join('\n'),
  );
  start('livekit-server', [bin, '--dev', '--config', config]);
  for (let i = 0; i < 50 && !(await answers(`http://127.0.0.1:${LIVEKIT_PORT}`)); i++) await Bun.sleep(200);
  console.log(`[dev] livekit-server --dev is on ws://localhost:${LIVEKIT_PORT} (webhook → matching server)`);
  return {
    LIVEKIT_URL: `ws://127.0.0.1:${LIVEKIT_PORT}`,
    LIVEKIT_API_KEY: 'devkey',
    LIVEKIT_API_SECRET: 'secret',
    PUBLIC_LIVEKIT_URL: process.env.PUBLIC_LIVEKIT_URL ?? `ws://localhost:${LIVEKIT_PORT}`,
  };
}

const port = Number(process.env.PORT ?? 3000);
const serverPort = port + 1;
const livekit = await startLiveKit(serverPort);
const serverEnv: Record<string, string> = {
  ...livekit,
  PORT: String(serverPort),
  HOST: '127.0.0.1',
  LOG_LEVEL: process.env.LOG_LEVEL ?? 'info',
  // Marks development: pretty logs, and /admin open without a token unless ADMIN_TOKEN is set.
  SERENDIP_DEV: '1',
};

// INSPECT=1: the relay lives here rather than in the server, so the inspector page stays
// connected while `--watch` restarts the server on every change.
if (process.env.INSPECT === '1' && !process.env.INSPECT_RELAY_URL) {
  const { createInspectorServer } = await import('@statelyai/inspect/server');
  const inspectPort = Number(process.env.INSPECT_PORT || 8080);
  const relay = createInspectorServer({ port: inspectPort, autoOpen: false });
  process.on('exit', () => relay.stop());
  serverEnv.INSPECT_RELAY_URL = `ws://127.0.0.1:${inspectPort}`;
  console.log(`[dev] Stately inspector: open http://localhost:${inspectPort} (it frames https://stately.ai/inspect)`);
}

start('server', ['bun', '--watch', 'server/src/main.ts'], serverEnv);
start('vite', ['node', join(root, 'node_modules', 'vite', 'bin', 'vite.js'), '--config', 'client/vite.config.ts'], {
  PORT: String(port),
  SERENDIP_SERVER_URL: `http://127.0.0.1:${serverPort}`,
});
console.log(`[dev] Serendip is starting at http://localhost:${port} (admin view: http://localhost:${port}/admin)`);
