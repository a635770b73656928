/**
 * A front for the matching server that can cut every WebSocket through it, as a flaky network
 * does, while HTTP and the media (which goes straight to LiveKit) carry on.
 */
import type { ServerWebSocket } from 'bun';

interface Link {
  upstream: WebSocket;
  pending: string[];
}

export interface Proxy {
  url: string;
  /** Drops every WebSocket open through the proxy and refuses new ones for `outageMs`. */
  cut(outageMs: number): void;
  stop(): void;
}

export function startProxy(target: string): Proxy {
  const sockets = new Set<ServerWebSocket<Link>>();
  let downUntil = 0;
  const server = Bun.serve<Link>({
    hostname: '127.0.0.1',
    port: 0,
    fetch(req, srv) {
      const url = new URL(req.url);
      const to = `${target}${url.pathname}${url.search}`;
      if (url.pathname === '/ws') {
        if (Date.now() < downUntil) return new Response('network down', { status: 502 });
        const upstream = new WebSocket(to.replace(/^http/, 'ws'));
        const link: Link = { upstream, pending: [] };
        return srv.upgrade(req, { data: link }) ? undefined : new Response('upgrade failed', { status: 400 });
      }
      return fetch(to, { method: req.method, headers: req.headers, body: req.body });
    },
    websocket: {
      open(ws) {
        sockets.add(ws);
        const { upstream } = ws.data;
        upstream.onmessage = (e) => ws.send(String(e.data));
        upstream.onclose = (e) => ws.close(e.code === 1005 || e.code === 1006 ? 1011 : e.code, e.reason);
        upstream.onopen = () => {
          for (const m of ws.data.pending.splice(0)) upstream.send(m);
        };
      },
      message(ws, msg) {
        const { upstream } = ws.data;
        if (upstream.readyState === WebSocket.OPEN) upstream.send(String(msg));
        else ws.data.pending.push(String(msg));
      },
      close(ws) {
        sockets.delete(ws);
        ws.data.upstream.close();
      },
    },
  });
  return {
    url: `http://127.0.0.1:${server.port}/`,
    cut(outageMs) {
      downUntil = Date.now() + outageMs;
      for (const ws of [...sockets]) {
        sockets.delete(ws);
        ws.terminate();
        ws.data.upstream.close();
      }
    },
    stop() {
      server.stop(true);
    },
  };
}
