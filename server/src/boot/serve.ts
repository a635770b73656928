/** Bun's server on the configured port: `/ws` goes to the gateway's upgrade, everything else to Hono. */
import type { Server } from 'bun';
import type { Hono } from 'hono';
import type { Config } from '../config.ts';
import type { Gateway } from '../gateway/gateway.ts';
import type { SocketData } from '../gateway/registry.ts';

export function serve(config: Config, gateway: Gateway, app: Hono): Server<SocketData> {
  return Bun.serve<SocketData>({
    port: config.port,
    hostname: config.host,
    websocket: gateway.handlers(),
    fetch: (req, srv) => {
      const url = new URL(req.url);
      if (url.pathname === '/ws') return gateway.upgrade(req, srv, url);
      // The socket's address, for the routes that hash it (never stored as it is).
      return app.fetch(req, { peer: srv.requestIP(req)?.address ?? '' });
    },
  });
}
