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
start('server', ['bun', '--watch', 'server/src/main.ts'], { PORT: port, LOG_LEVEL: process.env.LOG_LEVEL ?? 'info' });
console.log(`[dev] Serendip is starting at http://localhost:${port}`);
