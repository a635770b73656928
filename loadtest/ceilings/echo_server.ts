/**
 * Ceiling: a bare Bun WebSocket echo — no parsing, no actors, no Redis — on a free port of
 * 127.0.0.1, which it prints. What k6 can drive through it bounds what any Bun WebSocket server
 * can do on this machine with this load generator.
 */
const server = Bun.serve({
  hostname: '127.0.0.1',
  port: 0,
  fetch(req, srv) {
    return srv.upgrade(req) ? undefined : new Response('expected a WebSocket upgrade', { status: 426 });
  },
  websocket: {
    idleTimeout: 0,
    message(ws, message) {
      ws.send(message);
    },
  },
});
console.log(server.port);
process.on('SIGTERM', () => {
  server.stop(true);
  process.exit(0);
});
