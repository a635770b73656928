/**
 * A protocol client for k6: one user on one socket (`k6/websockets`), many of them per VU. It does
 * the bookkeeping every scenario needs — phase, session, time to match and to connected, pairs,
 * the order of frames PROTOCOL.md promises, errors — and hands each frame to the scenario's
 * behaviour, which decides what the user says next.
 */
import { CookieJar } from 'k6/http';
import { WebSocket } from 'k6/websockets';
import type { ClientFrame, ErrorCode, ServerFrame } from '../../server/src/protocol.ts';
import {
  arrivals,
  clientLag,
  connectErrors,
  pairs,
  protocolErrors,
  staleSessions,
  timeToConnected,
  timeToMatch,
} from './metrics.ts';

/** The user's state as its frames tell it (the server's `session` region, roughly). */
export type Phase = 'connecting' | 'idle' | 'waiting' | 'matched' | 'inCall' | 'closed';

/** What a scenario's users do when a frame comes (the client has done its bookkeeping first). */
export interface Behaviour<T> {
  /** Called after the client's bookkeeping, with the time k6 read the frame off the socket. */
  onFrame(user: User<T>, frame: ServerFrame, at: number): void;
  onClose?(user: User<T>): void;
}

/** Where each frame type may arrive (PROTOCOL.md's order of frames). */
const ALLOWED: Record<ServerFrame['type'], readonly Phase[] | null> = {
  hello: ['connecting'],
  waiting: ['idle', 'waiting'],
  matched: ['waiting'],
  connected: ['matched'],
  message: ['matched', 'inCall'],
  typing: ['matched', 'inCall'],
  peerLeft: ['matched', 'inCall'],
  ended: ['matched', 'inCall'],
  idle: ['idle', 'waiting'],
  pong: null,
  stats: null,
  error: null,
};

/**
 * This VU's running totals, logged once a second by the crowd when the runner asks (TICKS=1):
 * the runner rebuilds per-second rates from them without asking the servers anything. `arrivals`
 * counts enqueues only, the arrivals `--rate` paces (re-queues are the server's doing).
 */
export const tally = { pairs: 0, hellos: 0, arrivals: 0, dropped: 0, p95: -1 };

/** The first few protocol errors of a VU are logged in full (k6's log, kept in the results). */
const LOGGED_ERRORS = 10;
let errorsLogged = 0;

/** Counts a protocol error, tagged with its code, and logs the first few with what led to them. */
export function protocolError(code: string, detail = ''): void {
  protocolErrors.add(1, { code });
  if (errorsLogged++ < LOGGED_ERRORS) console.warn(`protocol_error ${code} ${detail}`.trim());
}

/** Sample one frame in this many for the load generator's own lag (a Trend sample costs CPU too). */
const LAG_SAMPLE_EVERY = 32;
let framesSeen = 0;

/** One simulated user on one socket. */
export class User<T> {
  phase: Phase = 'connecting';
  userId = '';
  sessionId: string | null = null;
  /** When this user last entered the queue (ms epoch): its enqueue, or the frame that re-queued it. */
  queuedAt = 0;
  lastSentAt: number;
  readonly createdAt: number;
  /** An error code the scenario expects right now (e.g. `bad_state` for a cancel that crossed a match). */
  tolerate: ErrorCode | null = null;
  /** Whether the idle pool holds this user. */
  pooled = false;
  private leaving = false;
  private failed = false;
  private readonly ws: WebSocket;

  constructor(
    url: string,
    private readonly behaviour: Behaviour<T>,
    /** Scenario state of this user. */
    public data: T,
  ) {
    this.createdAt = Date.now();
    this.lastSentAt = this.createdAt;
    // A cookie jar of its own: each simulated user is its own device (one VU's jar would make all
    // its users one device, which never meets itself and shares one skip limit).
    this.ws = new WebSocket(url, null, { jar: new CookieJar() });
    this.ws.onmessage = (e) => {
      if (e) this.receive(String(e.data), e.timestamp);
    };
    this.ws.onerror = (e) => this.fail(e?.error ?? 'socket error');
    this.ws.onclose = () => this.closed();
  }

  send(frame: ClientFrame): void {
    if (this.phase === 'closed' || this.phase === 'connecting') return;
    this.ws.send(JSON.stringify(frame));
    this.lastSentAt = Date.now();
  }

  /** Enters the queue: an arrival. Interests keep concurrent scenarios apart (see smoke.ts). */
  enqueue(interests: string[] = []): void {
    this.queuedAt = Date.now();
    arrivals.add(1, { kind: 'enqueue' });
    tally.arrivals++;
    this.send({ type: 'enqueue', mode: 'text', interests });
  }

  /** Closes the socket on purpose (not counted as an error). */
  close(): void {
    if (this.leaving) return;
    this.leaving = true;
    this.pooled = false;
    this.ws.close();
  }

  private receive(text: string, at: number): void {
    // Date.now() has whole milliseconds and `at` does not: a lag under 1 ms may come out negative.
    if (++framesSeen % LAG_SAMPLE_EVERY === 0) clientLag.add(Math.max(0, Date.now() - at));
    let frame: ServerFrame;
    try {
      frame = JSON.parse(text) as ServerFrame;
    } catch {
      protocolError('not_json', text.slice(0, 80));
      return;
    }
    const allowed = ALLOWED[frame.type];
    if (allowed === undefined) protocolError('unknown_frame', text.slice(0, 80));
    else if (allowed !== null && !allowed.includes(this.phase)) {
      protocolError(`order_${frame.type}_in_${this.phase}`, `${this.userId} ${text.slice(0, 120)}`);
    }
    this.track(frame, at);
    this.behaviour.onFrame(this, frame, at);
  }

  private track(frame: ServerFrame, at: number): void {
    switch (frame.type) {
      case 'hello':
        tally.hellos++;
        this.userId = frame.userId;
        this.phase = 'idle';
        return;
      case 'waiting':
        this.phase = 'waiting';
        return;
      case 'matched':
        this.phase = 'matched';
        this.sessionId = frame.sessionId;
        timeToMatch.add(at - this.queuedAt);
        pairs.add(0.5);
        tally.pairs += 0.5;
        return;
      case 'connected':
        if (frame.sessionId !== this.sessionId) protocolError('connected_wrong_session', this.userId);
        this.phase = 'inCall';
        timeToConnected.add(at - this.queuedAt);
        return;
      case 'peerLeft':
        this.requeued(at);
        return;
      case 'ended':
        if (frame.reason === 'end') {
          this.phase = 'idle';
          this.sessionId = null;
        } else this.requeued(at);
        return;
      case 'idle':
        this.phase = 'idle';
        this.sessionId = null;
        this.tolerate = null;
        return;
      case 'error':
        this.error(frame.code);
        return;
      default:
        return;
    }
  }

  /** The server put us back in the queue (PROTOCOL.md: a `waiting` frame follows). */
  private requeued(at: number): void {
    this.phase = 'waiting';
    this.sessionId = null;
    this.queuedAt = at;
    arrivals.add(1, { kind: 'requeue' });
  }

  private error(code: ErrorCode): void {
    if (code === 'stale_session') staleSessions.add(1);
    else if (code === this.tolerate) this.tolerate = null;
    else protocolError(code, `${this.userId} in ${this.phase}`);
  }

  private fail(message: string): void {
    if (this.leaving || this.failed) return;
    this.failed = true;
    if (this.phase === 'connecting') connectErrors.add(1, { reason: message.slice(0, 60) });
    else protocolError('socket_error', `${this.userId} in ${this.phase}: ${message}`);
  }

  private closed(): void {
    const unexpected = !this.leaving && !this.failed;
    if (unexpected) {
      if (this.phase === 'connecting') connectErrors.add(1, { reason: 'closed before hello' });
      else protocolError('closed_by_server', `${this.userId} in ${this.phase}`);
    }
    this.phase = 'closed';
    this.pooled = false;
    this.behaviour.onClose?.(this);
  }
}
