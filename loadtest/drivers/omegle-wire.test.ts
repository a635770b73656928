import { afterEach, describe, expect, test } from 'bun:test';
import type { Server, ServerWebSocket } from 'bun';
import { Churn } from './churn.ts';
import { addressOf, createOmegleWire } from './omegle-wire.ts';
import type { UserEvents } from './wire.ts';

/** One connection of the fake, as the peer keeps it. */
interface Peer {
  ws: ServerWebSocket<Peer> | null;
  address: string | null;
  state: 'idle' | 'searching' | 'chatting';
  partner: Peer | null;
  /** Its `matched`, held until the partner's line has reached it (the peer's race, made certain). */
  held: boolean;
}

/** How the fake misbehaves, for the fault tests. */
type Mode = 'normal' | 'refuse' | 'mute';

/**
 * larrasket/omegle.lol's protocol as its dispatch.go speaks it, in memory behind a real Bun
 * WebSocket server: `{type, data}` frames; `search` → `searching`, first in first out; `matched`
 * to both; `message` → the partner's `peer_msg`; `next` ends the chat (the partner gets
 * `peer_left` and stays in it) and searches again; a close is a disconnect. It holds the second
 * side's `matched` until the first side's line reached it (the order the peer allows), pings
 * every 10 ms, and stops pairing after `limit` sessions.
 */
class FakePeer {
  readonly queue: Peer[] = [];
  readonly addresses: string[] = [];
  sessions = 0;
  skips = 0;
  pongs = 0;
  errors = 0;
  open = 0;
  private readonly server: Server<Peer>;
  private readonly pinger: ReturnType<typeof setInterval>;
  private readonly all = new Set<Peer>();

  constructor(
    private readonly limit: number,
    private readonly mode: Mode = 'normal',
  ) {
    this.server = Bun.serve<Peer>({
      hostname: '127.0.0.1',
      port: 0,
      fetch: (req, server) => {
        const peer: Peer = {
          ws: null,
          address: req.headers.get('x-forwarded-for'),
          state: 'idle',
          partner: null,
          held: false,
        };
        return server.upgrade(req, { data: peer }) ? undefined : new Response('upgrade', { status: 400 });
      },
      websocket: {
        open: (ws) => this.opened(ws),
        message: (ws, raw) =>
          this.handle(ws.data, JSON.parse(String(raw)) as { type: string; data?: { text?: string } }),
        close: (ws) => this.closed(ws.data),
      },
    });
    this.pinger = setInterval(() => {
      for (const p of this.all) this.send(p, 'ping');
    }, 10);
  }

  get url(): string {
    return `ws://127.0.0.1:${this.server.port}/ws`;
  }

  stop(): void {
    clearInterval(this.pinger);
    this.server.stop(true);
  }

  private send(p: Peer, type: string, data: object = {}): void {
    if (type === 'error') this.errors++;
    p.ws?.send(JSON.stringify({ type, data }));
  }

  private opened(ws: ServerWebSocket<Peer>): void {
    if (this.mode === 'mute') {
      ws.close();
      return;
    }
    ws.data.ws = ws;
    this.open++;
    this.all.add(ws.data);
    this.addresses.push(ws.data.address ?? '');
    this.send(ws.data, 'welcome', { sessionId: crypto.randomUUID(), onlineCount: this.open });
  }

  private handle(p: Peer, f: { type: string; data?: { text?: string } }): void {
    if (f.type === 'pong') this.pongs++;
    else if (f.type === 'search' && this.mode === 'refuse') {
      this.send(p, 'matched', { sharedTags: [] }); // out of order: nothing was searching
      this.send(p, 'error', { code: 'rate_limited', message: 'too many' });
      p.ws?.close();
    } else if (f.type === 'search') this.search(p);
    else if (f.type === 'next') {
      if (p.state === 'chatting' && p.partner) this.skips++;
      this.end(p, 'next');
      p.state = 'idle';
      this.search(p);
    } else if (f.type === 'message') this.relay(p, f.data?.text ?? '');
    else this.send(p, 'error', { code: 'invalid_type', message: `unknown message type: ${f.type}` });
  }

  private search(p: Peer): void {
    if (p.state !== 'idle') {
      this.send(p, 'error', { code: 'invalid_state', message: 'already in queue or chat' });
      return;
    }
    p.state = 'searching';
    this.send(p, 'searching');
    const first = this.sessions < this.limit ? this.queue.shift() : undefined;
    if (!first) {
      this.queue.push(p);
      return;
    }
    this.sessions++;
    first.partner = p;
    p.partner = first;
    first.state = p.state = 'chatting';
    p.held = true;
    this.send(first, 'matched', { sharedTags: [] });
  }

  private relay(p: Peer, text: string): void {
    const to = p.partner;
    if (p.state !== 'chatting' || !to) {
      this.send(p, 'error', { code: 'invalid_state', message: 'not in chat' });
      return;
    }
    this.send(to, 'peer_msg', { text, ts: Date.now() });
    if (to.held) {
      to.held = false;
      this.send(to, 'matched', { sharedTags: [] });
    }
  }

  /** Ends `p`'s chat: the partner is told and, as on the peer, left in the chat until its `next`. */
  private end(p: Peer, reason: string): void {
    const to = p.partner;
    p.partner = null;
    if (!to) return;
    to.partner = null;
    this.send(to, 'peer_left', { reason });
  }

  private closed(p: Peer): void {
    if (!this.all.delete(p)) return;
    this.open--;
    const i = this.queue.indexOf(p);
    if (i >= 0) this.queue.splice(i, 1);
    this.end(p, 'disconnect');
  }
}

async function until(done: () => boolean): Promise<void> {
  for (let i = 0; i < 2000 && !done(); i++) await Bun.sleep(2);
}

let fake: FakePeer | null = null;
afterEach(() => fake?.stop());

/** Records what a wire tells one user. */
function recorder() {
  const seen: string[] = [];
  const events: UserEvents = {
    queued: () => seen.push('queued'),
    matched: () => seen.push('matched'),
    line: (text) => seen.push(`line ${text}`),
    fault: (kind) => seen.push(`fault ${kind}`),
  };
  return { seen, events };
}

describe('omegle.lol wire', () => {
  test('drives the churn loop: both lines, one skip, both search again; early lines kept; pings answered', async () => {
    const peer = new FakePeer(100);
    fake = peer;
    const wire = createOmegleWire();
    const logged: string[] = [];
    const churn = new Churn(undefined, (l) => logged.push(l));
    churn.measuring = true;
    await Promise.all(Array.from({ length: 12 }, (_, n) => churn.join(wire, peer.url, n)));
    await until(() => peer.sessions >= 100 && peer.skips >= 100);
    await churn.stop();
    await until(() => peer.open === 0);
    expect(logged).toEqual([]);
    expect({ sessions: peer.sessions, skips: peer.skips }).toEqual({ sessions: 100, skips: 100 });
    const counted = { pairs: churn.pairs, skips: churn.skips, lines: churn.lines, matched: churn.timeToMatch.count };
    expect(counted).toEqual({ pairs: 100, skips: 100, lines: 200, matched: 200 });
    expect(churn.faultCount).toBe(0);
    // The fake always lets the first line overtake the second side's `matched`.
    expect(wire.counters?.()).toEqual({ early_line: 100 });
    expect(peer.errors).toBe(0);
    expect(peer.pongs).toBeGreaterThan(0);
    expect(new Set(peer.addresses).size).toBe(12);
    expect(peer.addresses.every((a) => /^10\.0\.0\.\d+$/.test(a))).toBe(true);
    expect(peer.open).toBe(0);
  });

  test('error frames, frames out of order and closes nobody asked for are faults', async () => {
    const peer = new FakePeer(0, 'refuse');
    fake = peer;
    const { seen, events } = recorder();
    const link = await createOmegleWire().connect(peer.url, events);
    link.queue();
    await until(() => seen.includes('fault closed'));
    expect(seen).toEqual(['fault order_matched_in_idle', 'matched', 'fault rate_limited', 'fault closed']);
    await link.leave();
  });

  test('a server that closes before welcome fails the connect', async () => {
    const peer = new FakePeer(0, 'mute');
    fake = peer;
    const { events } = recorder();
    await expect(createOmegleWire().connect(peer.url, events)).rejects.toThrow(/closed before welcome/);
  });

  test('every user its own address', () => {
    expect(addressOf(0)).toBe('10.0.0.1');
    expect(addressOf(254)).toBe('10.0.0.255');
    expect(addressOf(255)).toBe('10.0.1.0');
    expect(addressOf(65_535)).toBe('10.1.0.0');
    expect(new Set(Array.from({ length: 100_000 }, (_, n) => addressOf(n))).size).toBe(100_000);
  });
});
