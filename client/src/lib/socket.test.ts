/** The socket against a small in-process WebSocket server that plays the matching server's part. */
import { afterEach, describe, expect, test } from 'bun:test';
import type { ServerWebSocket } from 'bun';
import type { ServerFrame } from '../../../server/src/protocol.ts';
import { Socket } from './socket.ts';
import type { Link } from './state.ts';

interface Conn {
  url: string;
  ws: ServerWebSocket<{ url: string }>;
  received: string[];
}

function fakeServer(greet = true) {
  const conns: Conn[] = [];
  let n = 0;
  const server = Bun.serve<{ url: string }>({
    hostname: '127.0.0.1',
    port: 0,
    fetch(req, srv) {
      return srv.upgrade(req, { data: { url: req.url } }) ? undefined : new Response('no', { status: 400 });
    },
    websocket: {
      open(ws) {
        conns.push({ url: ws.data.url, ws, received: [] });
        n++;
        const hello = { type: 'hello', userId: 'u1', resumeToken: `token-${n}`, protocol: 1, video: true };
        if (greet) ws.send(JSON.stringify(hello));
      },
      message(ws, msg) {
        conns.find((c) => c.ws === ws)?.received.push(String(msg));
      },
    },
  });
  return { server, conns, url: `ws://127.0.0.1:${server.port}/ws` };
}

async function until(cond: () => boolean, ms = 3000) {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error('condition not reached');
    await Bun.sleep(5);
  }
}

const stops: (() => void)[] = [];
afterEach(() => {
  for (const s of stops.splice(0)) s();
});

function client(url: string, opts: { pingEveryMs?: number; silentMs?: number; vet?: () => Promise<boolean> } = {}) {
  const frames: ServerFrame[] = [];
  const links: { link: Link; resumed: boolean; reason?: string }[] = [];
  const socket = new Socket({
    url,
    onFrame: (f) => frames.push(f),
    onLink: (link, info) => links.push({ link, ...info }),
    random: () => 0,
    ...opts,
  });
  stops.push(() => socket.stop());
  return { socket, frames, links };
}

describe('Socket', () => {
  test('opens, passes frames on and sends frames as JSON', async () => {
    const s = fakeServer();
    stops.push(() => s.server.stop(true));
    const c = client(s.url);
    c.socket.start();
    await until(() => c.frames.length === 1);
    expect(c.links).toEqual([{ link: 'open', resumed: false }]);
    expect(c.frames[0]).toMatchObject({ type: 'hello', userId: 'u1' });
    expect(c.socket.send({ type: 'cancel' })).toBe(true);
    await until(() => s.conns[0]?.received.length === 1);
    expect(s.conns[0]?.received).toEqual(['{"type":"cancel"}']);
  });

  test('drops frames it does not understand', async () => {
    const s = fakeServer(false);
    stops.push(() => s.server.stop(true));
    const c = client(s.url);
    c.socket.start();
    await until(() => s.conns.length === 1);
    s.conns[0]?.ws.send('garbage');
    s.conns[0]?.ws.send('{"type":"stats","online":2,"waiting":0}');
    await until(() => c.frames.length === 1);
    expect(c.frames).toEqual([{ type: 'stats', online: 2, waiting: 0 }]);
  });

  test('reconnects after a drop with the resume token of the last hello', async () => {
    const s = fakeServer();
    stops.push(() => s.server.stop(true));
    const c = client(s.url);
    c.socket.start();
    await until(() => c.frames.length === 1);
    s.conns[0]?.ws.close(1011, 'server restarting');
    await until(() => s.conns.length === 2);
    expect(new URL(s.conns[1]?.url ?? '').searchParams.get('resume')).toBe('token-1');
    await until(() => c.links.length === 3);
    expect(c.links.map((l) => `${l.link}:${l.resumed}`)).toEqual(['open:false', 'reconnecting:false', 'open:true']);
  });

  test('keeps retrying with backoff while the server is away', async () => {
    const s = fakeServer();
    const port = s.server.port as number;
    const c = client(s.url);
    c.socket.start();
    await until(() => c.frames.length === 1);
    s.server.stop(true);
    await until(() => c.links.filter((l) => l.link === 'reconnecting').length >= 2);
    expect(c.socket.send({ type: 'cancel' })).toBe(false);
    const again = Bun.serve({
      hostname: '127.0.0.1',
      port,
      fetch: (req, srv) => (srv.upgrade(req) ? undefined : new Response('no')),
      websocket: { message() {} },
    });
    stops.push(() => again.stop(true));
    await until(() => c.links.at(-1)?.link === 'open', 5000);
    expect(c.links.at(-1)).toEqual({ link: 'open', resumed: true });
  });

  test('does not reconnect when replaced by another tab', async () => {
    const s = fakeServer();
    stops.push(() => s.server.stop(true));
    const c = client(s.url);
    c.socket.start();
    await until(() => c.frames.length === 1);
    s.conns[0]?.ws.close(4001, 'replaced by a newer connection');
    await until(() => c.links.length === 2);
    expect(c.links[1]).toMatchObject({ link: 'closed', reason: 'This chat continued in another tab or window.' });
    await Bun.sleep(600);
    expect(s.conns).toHaveLength(1);
  });

  test('pings on its heartbeat, and reconnects when the server falls silent', async () => {
    const s = fakeServer();
    stops.push(() => s.server.stop(true));
    const c = client(s.url, { pingEveryMs: 40, silentMs: 150 });
    c.socket.start();
    await until(() => (s.conns[0]?.received.length ?? 0) >= 2);
    expect(JSON.parse(s.conns[0]?.received[0] ?? '{}')).toMatchObject({ type: 'ping' });
    // The fake server never answers pings: after `silentMs` the client gives up on this socket.
    await until(() => s.conns.length >= 2, 3000);
    expect(c.links.map((l) => l.link)).toContain('reconnecting');
  });

  test('a refused upgrade asks vet first: false waits for start(), true retries as usual', async () => {
    let refuse = true;
    let upgrades = 0;
    const server = Bun.serve({
      hostname: '127.0.0.1',
      port: 0,
      fetch(req, srv) {
        if (refuse) return new Response('solve the bot check first', { status: 403 });
        upgrades++;
        return srv.upgrade(req) ? undefined : new Response('no', { status: 400 });
      },
      websocket: {
        open(ws) {
          ws.send(JSON.stringify({ type: 'hello', userId: 'u', resumeToken: 't', protocol: 1, video: true }));
        },
        message() {},
      },
    });
    stops.push(() => server.stop(true));
    let vetted = 0;
    let answer = false;
    const c = client(`ws://127.0.0.1:${server.port}/ws`, {
      vet: async () => {
        vetted++;
        return answer;
      },
    });
    c.socket.start();
    await until(() => vetted === 1);
    await Bun.sleep(700); // longer than the first backoff: no retry came
    expect(vetted).toBe(1);
    answer = true;
    c.socket.start(); // as after solving the check
    await until(() => vetted === 2);
    refuse = false;
    await until(() => c.frames.length === 1);
    expect(upgrades).toBe(1);
    expect(c.links.at(-1)).toEqual({ link: 'open', resumed: false });
  });
});
