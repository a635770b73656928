/**
 * The wire for Serendip's own protocol (docs/PROTOCOL.md, v1) over Bun's WebSocket client: text
 * mode, no interests, no `ready` (chat may start before media, and a text session needs none). The
 * server re-queues both sides after a skip by itself, so `queued` is simply every `waiting` frame.
 * Leaving owns v1's races: a `cancel` may cross a match and an `end` may cross the partner's skip,
 * so while leaving the user answers whatever state it lands in (waiting → cancel, matched → end)
 * until `idle`, and the `bad_state` / `stale_session` those crossings earn are expected.
 */
import type { ClientFrame, ServerFrame } from '../../server/src/protocol.ts';
import type { UserEvents, UserLink, Wire } from './wire.ts';

/** Where a user is, as its frames tell it; `between` is a session over, its `waiting` still to come. */
type Phase = 'hello' | 'idle' | 'waiting' | 'paired' | 'between' | 'closed';

/** Frames that may arrive in each phase (pong, stats and error may come at any time; others are ignored). */
const EXPECTED: Partial<Record<ServerFrame['type'], readonly Phase[]>> = {
  hello: ['hello'],
  waiting: ['idle', 'between'],
  matched: ['waiting'],
  message: ['paired'],
  peerLeft: ['paired'],
  ended: ['paired'],
  idle: ['waiting', 'between'],
};

/** A user silent this long sends `ping` (PROTOCOL.md: the heartbeat); checked every few seconds. */
const PING_AFTER_MS = 10_000;
/** How long a leave may take before the socket is closed anyway. */
const LEAVE_TIMEOUT_MS = 5000;
/** How long a connection may take to say `hello`. */
const HELLO_TIMEOUT_MS = 10_000;

const live = new Set<V1User>();
let pinger: ReturnType<typeof setInterval> | null = null;

/** One user on one socket. */
class V1User implements UserLink {
  phase: Phase = 'hello';
  private sessionId: string | null = null;
  private leaving: (() => void) | null = null;
  lastSentAt = Date.now();

  constructor(
    private readonly ws: WebSocket,
    private readonly events: UserEvents,
  ) {}

  send(frame: ClientFrame): void {
    this.lastSentAt = Date.now();
    this.ws.send(JSON.stringify(frame));
  }

  queue(): void {
    this.send({ type: 'enqueue', mode: 'text', interests: [] });
  }

  say(text: string): void {
    if (this.phase === 'paired' && this.sessionId) this.send({ type: 'message', sessionId: this.sessionId, text });
  }

  skip(): void {
    if (this.phase === 'paired' && this.sessionId) this.send({ type: 'skip', sessionId: this.sessionId });
  }

  leave(): Promise<void> {
    if (this.phase === 'closed') return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(() => this.ws.close(), LEAVE_TIMEOUT_MS);
      this.leaving = () => {
        clearTimeout(timer);
        resolve();
      };
      this.step();
    });
  }

  /** While leaving: the next move out of wherever the user is now. */
  private step(): void {
    if (this.phase === 'idle') this.ws.close();
    else if (this.phase === 'waiting') this.send({ type: 'cancel' });
    else if (this.phase === 'paired' && this.sessionId) this.send({ type: 'end', sessionId: this.sessionId });
  }

  /** Handles one frame; the caller has checked it arrived where it may. */
  onFrame(f: ServerFrame): void {
    switch (f.type) {
      case 'waiting':
        this.phase = 'waiting';
        if (!this.leaving) this.events.queued();
        break;
      case 'matched':
        this.phase = 'paired';
        this.sessionId = f.sessionId;
        if (!this.leaving) this.events.matched();
        break;
      case 'message':
        if (f.sessionId === this.sessionId && !this.leaving) this.events.line(f.text);
        return;
      case 'peerLeft':
      case 'ended':
        this.phase = 'between';
        this.sessionId = null;
        break;
      case 'idle':
        this.phase = 'idle';
        break;
      case 'error':
        // A leave's cancel or end that crossed the server's move is answered so; it changes nothing.
        if (this.leaving && (f.code === 'bad_state' || f.code === 'stale_session')) return;
        this.events.fault(f.code, f.message);
        return;
      default:
        return;
    }
    if (this.leaving) this.step();
  }

  /** Checks a frame against the phase, then handles it. */
  receive(f: ServerFrame): void {
    const allowed = EXPECTED[f.type];
    // `idle` only ever answers a leave's cancel or end.
    const out = (allowed && !allowed.includes(this.phase)) || (f.type === 'idle' && !this.leaving);
    if (out) {
      this.events.fault(`order_${f.type}_in_${this.phase}`, JSON.stringify(f));
    }
    this.onFrame(f);
  }

  closed(code: number): void {
    const was = this.phase;
    this.phase = 'closed';
    live.delete(this);
    if (this.leaving) this.leaving();
    else if (was !== 'hello') this.events.fault('closed', `close code ${code} in ${was}`);
  }
}

function pingSilent(): void {
  const due = Date.now() - PING_AFTER_MS;
  for (const u of live) if (u.phase !== 'hello' && u.lastSentAt < due) u.send({ type: 'ping' });
  if (live.size === 0 && pinger) {
    clearInterval(pinger);
    pinger = null;
  }
}

/** Protocol v1 over Bun's WebSocket client. */
export const serendipWire: Wire = {
  name: 'serendip v1 (Bun WebSocket)',
  connect(target: string, events: UserEvents): Promise<UserLink> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(target);
      const user = new V1User(ws, events);
      const timer = setTimeout(() => {
        reject(new Error(`no hello from ${target} within ${HELLO_TIMEOUT_MS} ms`));
        ws.close();
      }, HELLO_TIMEOUT_MS);
      ws.onmessage = (e) => {
        const f = JSON.parse(String(e.data)) as ServerFrame;
        if (f.type === 'hello' && user.phase === 'hello') {
          clearTimeout(timer);
          user.phase = 'idle';
          live.add(user);
          pinger ??= setInterval(pingSilent, 2000);
          resolve(user);
        } else user.receive(f);
      };
      ws.onclose = (e) => {
        clearTimeout(timer);
        if (user.phase === 'hello') reject(new Error(`closed before hello (code ${e.code})`));
        user.closed(e.code);
      };
    });
  },
};
