/**
 * A matching-server process for whoever needs a real one — integration tests, load runs, the
 * screenshot script: `bun server/src/main.ts` spawned with the given environment on a free port of
 * 127.0.0.1, ready once `/healthz` answers. It knows nothing of stores: the caller's environment
 * says which Redis and PostgreSQL (or embedded defaults) the server uses.
 */
import { join } from 'node:path';

const ROOT = join(import.meta.dir, '../..');

/** A running server process: where it listens, and how to stop it. */
export interface RunningServer {
  pid: number;
  /** `http://127.0.0.1:<port>` */
  url: string;
  /** `ws://127.0.0.1:<port>/ws` */
  ws: string;
  /** SIGTERM (drain, flush the session log); resolves with the exit code. */
  stop(): Promise<number>;
  /** SIGKILL: the instance dies without cleaning up. */
  kill(): Promise<void>;
  /** Everything the process wrote to stdout and stderr so far. */
  output(): string;
}

/** A free TCP port on 127.0.0.1 (the OS picks; we release it at once). */
export async function freePort(): Promise<number> {
  const s = Bun.listen({ hostname: '127.0.0.1', port: 0, socket: { data() {} } });
  const port = s.port;
  s.stop(true);
  return port;
}

async function collect(stream: ReadableStream<Uint8Array>, into: (text: string) => void): Promise<void> {
  const reader = stream.getReader();
  const decoder = new TextDecoder();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return;
    into(decoder.decode(value, { stream: true }));
  }
}

/**
 * Every client of a test or a load run connects from 127.0.0.1 and churns far faster than a
 * person: the per-address and per-device limits are lifted unless the caller sets them (the tests
 * of those limits do).
 */
const UNLIMITED = {
  CONNECTIONS_PER_ADDRESS: '1000000',
  CONNECTS_PER_MINUTE_BEFORE_CHALLENGE: '100000000',
  CONNECTS_PER_MINUTE: '100000000',
  ENQUEUE_RATE_PER_MINUTE: '100000000',
  ENQUEUE_BURST: '1000000',
  SKIP_RATE_PER_MINUTE: '100000000',
  SKIP_BURST: '1000000',
};

/**
 * Spawns the server and waits (up to 30 s) until /healthz answers. `env.PORT` picks the port (else
 * a free one); `bunArgs` go before the script (e.g. `--cpu-prof-md`). Logs default to `warn` so a
 * test's output stays readable; the output is kept for the error a failed start throws.
 */
export async function startServer(env: Record<string, string>, bunArgs: string[] = []): Promise<RunningServer> {
  const port = env.PORT ? Number(env.PORT) : await freePort();
  let out = '';
  const proc = Bun.spawn(['bun', ...bunArgs, 'server/src/main.ts'], {
    cwd: ROOT,
    env: { ...process.env, LOG_LEVEL: 'warn', PORT: String(port), HOST: '127.0.0.1', ...UNLIMITED, ...env },
    stdout: 'pipe',
    stderr: 'pipe',
  });
  const append = (text: string) => {
    out += text;
  };
  void collect(proc.stdout, append);
  void collect(proc.stderr, append);
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (proc.exitCode !== null) throw new Error(`server exited with ${proc.exitCode}:\n${out}`);
    try {
      if ((await fetch(`${url}/healthz`)).ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      proc.kill('SIGKILL'); // a server that never became healthy must not outlive the caller's error
      throw new Error(`server did not start:\n${out}`);
    }
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
      return proc.exited;
    },
  };
}
