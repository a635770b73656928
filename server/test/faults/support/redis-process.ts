/**
 * A Redis of a case's own on a free port, so it can be restarted empty without touching the
 * shared one at 127.0.0.1:6379. It keeps nothing on disk (`--save '' --appendonly no`): a restart
 * is a Redis that lost everything, as a failover to an empty replica or a crash without
 * persistence would be.
 */
import type { Subprocess } from 'bun';
import { freePort } from '../../support/server.ts';

/** A private redis-server process. */
export interface PrivateRedis {
  url: string;
  port: number;
  /** SHUTDOWN NOSAVE, then a new empty server on the same port; resolves once it answers PING (its epoch ms). */
  restart(): Promise<number>;
  stop(): Promise<void>;
}

function spawnRedis(port: number): Subprocess {
  return Bun.spawn(
    ['redis-server', '--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    { stdout: 'ignore', stderr: 'ignore' },
  );
}

async function cli(port: number, ...args: string[]): Promise<string> {
  const proc = Bun.spawn(['redis-cli', '-p', String(port), ...args], { stdout: 'pipe', stderr: 'pipe' });
  const out = await new Response(proc.stdout).text();
  await proc.exited;
  return out.trim();
}

/** Waits until the server on `port` answers PING (10 s at most). */
async function answering(port: number): Promise<void> {
  const deadline = Date.now() + 10_000;
  while ((await cli(port, 'ping')) !== 'PONG') {
    if (Date.now() > deadline) throw new Error(`redis-server on port ${port} did not start`);
    await Bun.sleep(20);
  }
}

/** Starts an empty redis-server on a free port of 127.0.0.1. */
export async function startRedis(): Promise<PrivateRedis> {
  const port = await freePort();
  let proc = spawnRedis(port);
  await answering(port);
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    async restart() {
      await cli(port, 'shutdown', 'nosave');
      await proc.exited;
      proc = spawnRedis(port);
      await answering(port);
      return Date.now();
    },
    async stop() {
      proc.kill('SIGKILL');
      await proc.exited;
    },
  };
}
