/**
 * The server instances under test: `bun server/src/main.ts`, configured only by environment, on
 * free ports of 127.0.0.1, all on the run's Redis and database. Flood control is raised (a k6 user
 * sends far fewer frames than a person can, but a load run must not measure refusals).
 */
import { join } from 'node:path';
import { type RunningServer, startServer } from '../../scripts/lib/server-process.ts';
import type { Stores } from './stores.ts';

/** A running server instance and its INSTANCE_ID. */
export interface Instance extends RunningServer {
  id: string;
}

/** How many instances, on which stores, with what extra environment. */
export interface InstanceOptions {
  count: number;
  stores: Stores;
  /** Extra environment (e.g. timers for the smoke). */
  env: Record<string, string>;
  /** Write a CPU profile (markdown) per instance into this directory on exit. */
  profileDir: string | null;
}

/** Starts the instances in parallel and waits until each answers /healthz. */
export async function startInstances(o: InstanceOptions): Promise<Instance[]> {
  const secret = crypto.randomUUID();
  const bunArgs = o.profileDir ? ['--cpu-prof-md', `--cpu-prof-dir=${o.profileDir}`] : [];
  return Promise.all(
    Array.from({ length: o.count }, async (_, i) => {
      const id = `load-${i + 1}`;
      const server = await startServer(
        {
          REDIS_URL: o.stores.redisUrl,
          DATABASE_URL: o.stores.databaseUrl,
          REDIS_PREFIX: o.stores.prefix,
          INSTANCE_ID: id,
          RESUME_SECRET: secret,
          RATE_FRAMES_PER_SECOND: '1000',
          RATE_FRAME_BURST: '2000',
          ...o.env,
        },
        bunArgs,
      );
      return { ...server, id };
    }),
  );
}

/**
 * Stops every instance (SIGTERM: drain, flush the session log, write the profile); with `logDir`,
 * each instance's output (its warnings and errors) is kept there as `<id>.server.log`.
 */
export async function stopInstances(instances: Instance[], logDir: string | null = null): Promise<number[]> {
  const codes = await Promise.all(instances.map((s) => s.stop()));
  if (logDir) for (const s of instances) await Bun.write(join(logDir, `${s.id}.server.log`), s.output());
  return codes;
}
