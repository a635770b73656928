/**
 * `bun run dev`: the whole stack for development on embedded defaults (or whatever the
 * environment configures), restarted on change. Stops everything on Ctrl-C.
 */
const root = `${import.meta.dir}/..`;
const children: ReturnType<typeof Bun.spawn>[] = [];

function start(name: string, cmd: string[], env: Record<string, string> = {}) {
  const proc = Bun.spawn(cmd, { cwd: root, stdout: 'inherit', stderr: 'inherit', env: { ...process.env, ...env } });
  children.push(proc);
  proc.exited.then((code) => {
    if (!stopping) console.error(`[dev] ${name} exited with ${code}`);
  });
  return proc;
}

let stopping = false;
function stop() {
  stopping = true;
  for (const c of children) c.kill('SIGTERM');
  Promise.all(children.map((c) => c.exited)).then(() => process.exit(0));
}
process.on('SIGINT', stop);
process.on('SIGTERM', stop);

const port = process.env.PORT ?? '3000';
const serverEnv: Record<string, string> = {
  PORT: port,
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
console.log(`[dev] Serendip is starting at http://localhost:${port} (admin view: http://localhost:${port}/admin)`);
