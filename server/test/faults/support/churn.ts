/**
 * A churn of real WebSocket clients in text mode: each enqueues once, and from then on every pair
 * the server forms ends with one side's `skip` a moment later (skip re-queues both, so the loop
 * runs itself). It remembers every session any client was told of, who was in it and how each
 * side heard it end, which is what the fault cases check the server against.
 */

/** One churning user. */
export class ChurnClient {
  userId = '';
  /** The session this client is in, as far as the frames it got say. */
  sid: string | null = null;
  closedAt: number | null = null;
  readonly errors: Record<string, number> = {};

  constructor(
    /** Which instance it is connected to. */
    readonly label: string,
    readonly ws: WebSocket,
  ) {}
}

/** How one member heard its session end. */
export interface Heard {
  type: 'peerLeft' | 'ended';
  reason: string;
  at: number;
}

/** A session as the clients saw it. */
export interface SeenSession {
  sid: string;
  /** In the order their `matched` came; the first is the one that skips. */
  members: ChurnClient[];
  firstMatchedAt: number;
  ends: Map<ChurnClient, Heard>;
  /** Who sent `skip` for it, and when. */
  skip: { by: ChurnClient; at: number } | null;
}

export interface ChurnOptions {
  targets: { label: string; ws: string }[];
  /** Spread over the targets in turn. */
  clients: number;
  /** How long a pair stays together before the skip, drawn uniformly from this range. */
  skipAfterMs: [number, number];
}

export class Churn {
  readonly clients: ChurnClient[] = [];
  readonly sessions = new Map<string, SeenSession>();
  private running = true;
  /** Instances whose clients are gone: nobody skips a session with one of them any more. */
  private readonly dead = new Set<string>();

  private constructor(private readonly opts: ChurnOptions) {}

  /** Connects every client (each enqueues on its `hello`) and resolves once all are connected. */
  static async start(opts: ChurnOptions): Promise<Churn> {
    const churn = new Churn(opts);
    const opening: Promise<void>[] = [];
    for (let i = 0; i < opts.clients; i++) {
      const target = opts.targets[i % opts.targets.length] as ChurnOptions['targets'][number];
      opening.push(churn.open(target.label, target.ws));
    }
    await Promise.all(opening);
    return churn;
  }

  private open(label: string, url: string): Promise<void> {
    const c = new ChurnClient(label, new WebSocket(url));
    this.clients.push(c);
    c.ws.addEventListener('message', (e) => this.onFrame(c, JSON.parse(String(e.data)) as Record<string, unknown>));
    c.ws.addEventListener('close', () => {
      c.closedAt = Date.now();
    });
    return new Promise((resolve, reject) => {
      c.ws.addEventListener('open', () => resolve(), { once: true });
      c.ws.addEventListener('error', () => reject(new Error(`cannot connect to ${url}`)), { once: true });
    });
  }

  private onFrame(c: ChurnClient, f: Record<string, unknown>): void {
    const sid = String(f.sessionId ?? '');
    switch (f.type) {
      case 'hello':
        c.userId = String(f.userId);
        c.ws.send(JSON.stringify({ type: 'enqueue', mode: 'text' }));
        return;
      case 'matched':
        this.onMatched(c, sid);
        return;
      case 'peerLeft':
      case 'ended': {
        const s = this.sessions.get(sid);
        if (s && !s.ends.has(c)) s.ends.set(c, { type: f.type, reason: String(f.reason), at: Date.now() });
        if (c.sid === sid) c.sid = null;
        return;
      }
      case 'error':
        c.errors[String(f.code)] = (c.errors[String(f.code)] ?? 0) + 1;
        return;
    }
  }

  private onMatched(c: ChurnClient, sid: string): void {
    c.sid = sid;
    let s = this.sessions.get(sid);
    if (!s) {
      s = { sid, members: [], firstMatchedAt: Date.now(), ends: new Map(), skip: null };
      this.sessions.set(sid, s);
    }
    s.members.push(c);
    if (s.members.length !== 2) return;
    const [lo, hi] = this.opts.skipAfterMs;
    const session = s;
    setTimeout(() => this.skip(session), lo + Math.random() * (hi - lo));
  }

  private skip(s: SeenSession): void {
    const [by, partner] = s.members as [ChurnClient, ChurnClient];
    // A user whose partner's instance died does not skip: it waits to be told, as the case expects.
    if (!this.running || by.sid !== s.sid || by.closedAt !== null || this.dead.has(partner.label)) return;
    s.skip = { by, at: Date.now() };
    by.ws.send(JSON.stringify({ type: 'skip', sessionId: s.sid }));
  }

  /** The instance `label` died: its clients are gone, and their partners wait for the server. */
  lost(label: string): void {
    this.dead.add(label);
  }

  /** Sessions whose first `matched` came within [from, to). */
  formedBetween(from: number, to: number): SeenSession[] {
    return [...this.sessions.values()].filter((s) => s.firstMatchedAt >= from && s.firstMatchedAt < to);
  }

  /** Stops skipping and closes every socket still open, waiting (3 s at most) for the closes. */
  async stop(): Promise<void> {
    this.running = false;
    for (const c of this.clients) if (c.closedAt === null) c.ws.close(1000);
    const deadline = Date.now() + 3000;
    while (this.clients.some((c) => c.closedAt === null) && Date.now() < deadline) await Bun.sleep(20);
  }
}
