/**
 * The wire for larrasket/omegle.lol's protocol (its backend/internal/proto/messages.go and
 * ws/dispatch.go) over Bun's WebSocket client, so the churn workload drives that server side by
 * side with ours. Every frame both ways is `{ "type", "data" }`, and the client always sends
 * `data` (the server decodes it for `search`, `message` and `next`, and an absent one is an
 * `invalid_json` error).
 *
 * What the loop is on this protocol: `search {tags: []}` → `searching`; `matched`; `message
 * {text}` → the partner's `peer_msg {text, ts}`; the skipper sends `next {tags: []}`, which ends
 * the chat and queues it again (`searching`), while its partner gets `peer_left` and stays in the
 * ended chat until it says `next` itself. The races this wire owns:
 * - `matched` is sent to each side by its own goroutine, so the first side's line can reach the
 *   second before the second's `matched`. There are no session ids to tell sessions apart, but
 *   the server closes a room before relaying anything more in it, so a line outside a chat is
 *   the coming session's: it is kept until `matched` and counted as the race `early_line`.
 * - Leaving is closing the socket (what a browser tab does): the server takes the user out of
 *   its queue or chat, and the partner, leaving too, no longer listens.
 * The server limits upgrades per client address (one a second, a burst of 30), so every user
 * sends an X-Forwarded-For of its own (10.x.y.z); the server must trust one proxy hop
 * (TRUSTED_PROXY_DEPTH=1) for it to count. It pings every 25 s and closes a silent socket after
 * 35 s; the wire answers every `ping` with `pong`.
 */
import type { UserEvents, UserLink, Wire } from './wire.ts';

/** Where a user is, as its frames tell it; `between` is a chat over, its `searching` still to come. */
type Phase = 'welcome' | 'idle' | 'searching' | 'chatting' | 'between' | 'closed';

/** A frame of the peer's protocol, either way. */
interface Frame {
  type: string;
  data?: { text?: unknown; code?: unknown; message?: unknown; reason?: unknown };
}

/** Frames that move a user, and the phases they may arrive in (`peer_msg`, `ping`, `error` are handled apart). */
const EXPECTED: Record<string, readonly Phase[]> = {
  searching: ['idle', 'between'],
  matched: ['searching'],
  peer_left: ['chatting'],
};

/** Frames the loop has no use for (the partner's typing and presence). */
const IGNORED = new Set(['peer_typing', 'peer_paused', 'peer_resumed']);

const NO_TAGS = { tags: [] as string[] };
/** How long a connection may take to say `welcome`. */
const WELCOME_TIMEOUT_MS = 10_000;
/** How long a leave may take before it counts as done anyway. */
const LEAVE_TIMEOUT_MS = 5000;

/** The client address user number `n` (from 0) claims: 10.0.0.1, 10.0.0.2, … (16 million of them). */
export function addressOf(n: number): string {
  const k = n + 1; // 10.0.0.0 names the network, not a host
  return `10.${(k >> 16) & 255}.${(k >> 8) & 255}.${k & 255}`;
}

/** A frame from its text; null when it is not a JSON object with a string `type`. */
function parse(text: string): Frame | null {
  try {
    const f = JSON.parse(text) as Partial<Frame> | null;
    return f && typeof f.type === 'string' ? (f as Frame) : null;
  } catch {
    return null;
  }
}

/** One user on one socket. */
class OmegleUser implements UserLink {
  phase: Phase = 'welcome';
  /** Lines that arrived before this session's `matched` (see the race above). */
  private early: string[] = [];
  private leaving: (() => void) | null = null;

  constructor(
    private readonly ws: WebSocket,
    private readonly events: UserEvents,
    private readonly race: (kind: string) => void,
  ) {}

  private send(type: string, data: object = {}): void {
    this.ws.send(JSON.stringify({ type, data }));
  }

  queue(): void {
    this.send('search', NO_TAGS);
  }

  say(text: string): void {
    if (this.phase === 'chatting') this.send('message', { text });
  }

  skip(): void {
    if (this.phase !== 'chatting') return;
    this.phase = 'between';
    this.send('next', NO_TAGS);
  }

  leave(): Promise<void> {
    if (this.phase === 'closed') return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, LEAVE_TIMEOUT_MS);
      this.leaving = () => {
        clearTimeout(timer);
        resolve();
      };
      this.ws.close(1000);
    });
  }

  /** Handles one frame after `welcome`. */
  receive(f: Frame): void {
    if (this.leaving || IGNORED.has(f.type)) return; // a closing socket's frames are not the loop's
    if (f.type === 'ping') this.send('pong');
    else if (f.type === 'peer_msg') this.line(f);
    else if (f.type === 'error') this.events.fault(String(f.data?.code), String(f.data?.message));
    else {
      const allowed = EXPECTED[f.type];
      if (!allowed) this.events.fault(`unknown_${f.type}`, JSON.stringify(f));
      else {
        if (!allowed.includes(this.phase)) this.events.fault(`order_${f.type}_in_${this.phase}`, JSON.stringify(f));
        this.move(f.type);
      }
    }
  }

  /** The transition a frame makes (also after one out of order, so the loop goes on). */
  private move(type: string): void {
    if (type === 'searching') {
      this.phase = 'searching';
      this.events.queued();
    } else if (type === 'matched') {
      this.phase = 'chatting';
      this.events.matched();
      const early = this.early;
      this.early = [];
      for (const text of early) this.events.line(text);
    } else if (type === 'peer_left') {
      // The server leaves this side in the ended chat: `next` is what queues it again.
      this.phase = 'between';
      this.send('next', NO_TAGS);
    }
  }

  private line(f: Frame): void {
    const text = typeof f.data?.text === 'string' ? f.data.text : '';
    if (this.phase === 'chatting') this.events.line(text);
    else if (this.phase === 'searching' || this.phase === 'between') {
      this.early.push(text);
      this.race('early_line');
    } else this.events.fault(`order_peer_msg_in_${this.phase}`, JSON.stringify(f));
  }

  closed(code: number): void {
    const was = this.phase;
    this.phase = 'closed';
    if (this.leaving) this.leaving();
    else if (was !== 'welcome') this.events.fault('closed', `close code ${code} in ${was}`);
  }
}

/**
 * A wire for larrasket/omegle.lol. Each wire numbers its users from `firstUser` and gives each
 * its own client address; its `counters` are the races it absorbed.
 */
export function createOmegleWire(firstUser = 0): Wire {
  let next = firstUser;
  const races = new Map<string, number>();
  const race = (kind: string) => races.set(kind, (races.get(kind) ?? 0) + 1);
  return {
    name: 'larrasket/omegle.lol (Bun WebSocket)',
    counters: () => Object.fromEntries(races),
    connect(target: string, events: UserEvents): Promise<UserLink> {
      const address = addressOf(next++);
      return new Promise((resolve, reject) => {
        // Bun's WebSocket takes headers; the DOM typings (also in the project's lib) do not know it.
        const headers = { 'X-Forwarded-For': address };
        const ws = new WebSocket(target, { headers } as unknown as string[]);
        const user = new OmegleUser(ws, events, race);
        const timer = setTimeout(() => {
          reject(new Error(`no welcome from ${target} within ${WELCOME_TIMEOUT_MS} ms`));
          ws.close();
        }, WELCOME_TIMEOUT_MS);
        ws.onmessage = (e) => {
          const f = parse(String(e.data));
          if (!f) events.fault('bad_frame', String(e.data).slice(0, 200));
          else if (f.type === 'welcome' && user.phase === 'welcome') {
            clearTimeout(timer);
            user.phase = 'idle';
            resolve(user);
          } else if (user.phase === 'welcome') events.fault(`order_${f.type}_in_welcome`, JSON.stringify(f));
          else user.receive(f);
        };
        ws.onclose = (e) => {
          clearTimeout(timer);
          if (user.phase === 'welcome') reject(new Error(`closed before welcome (code ${e.code})`));
          user.closed(e.code);
        };
      });
    },
  };
}

/** The wire the Bun driver uses for the peer (`WIRE=omegle`). */
export const omegleWire: Wire = createOmegleWire();
