/**
 * The whole stack for the browser tests, started once per test file: a real livekit-server whose
 * webhook points at a real matching server on Redis and PostgreSQL, serving the built client.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { type RunningLiveKit, startLiveKit } from '../../../server/test/support/livekit.ts';
import {
  freePort,
  freshStores,
  type RunningServer,
  type Stores,
  startServer,
} from '../../../server/test/support/server.ts';

export interface Stack {
  lk: RunningLiveKit;
  server: RunningServer;
  stores: Stores;
  /** The app as a browser opens it (loopback is a secure context, so getUserMedia works). */
  url: string;
  /**
   * Another matching server with its own settings (`env`) on the same LiveKit and database, with a
   * Redis key prefix of its own (its users never meet this stack's); stopped with the stack.
   */
  sibling(env: Record<string, string>): Promise<RunningServer>;
  stop(): Promise<void>;
}

const DIST = join(import.meta.dir, '..', '..', 'dist', 'index.html');

export async function startStack(env: Record<string, string>): Promise<Stack> {
  if (!existsSync(DIST))
    throw new Error('client/dist is missing: build the client first (bun scripts/test.ts e2e does)');
  const port = await freePort();
  const lk = await startLiveKit({ webhookUrl: `http://127.0.0.1:${port}/livekit/webhook` });
  const stores = await freshStores('real');
  const server = await startServer({ ...stores.env, ...lk.env, PORT: String(port), LOG_LEVEL: 'info', ...env });
  const siblings: RunningServer[] = [];
  return {
    lk,
    server,
    stores,
    url: `http://127.0.0.1:${port}/`,
    async sibling(more) {
      const s = await startServer({ ...stores.isolated(), ...lk.env, LOG_LEVEL: 'info', ...more });
      siblings.push(s);
      return s;
    },
    async stop() {
      for (const s of siblings.splice(0)) await s.stop();
      await server.stop();
      await lk.stop();
      await stores.drop();
    },
  };
}
