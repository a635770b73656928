/**
 * The only WebSocket I/O of the client: one socket to `/ws`, its heartbeat, and reconnecting with
 * backoff under the resume token of the last `hello`, so a short drop keeps the user and its
 * session (PROTOCOL.md, Reconnect). A browser learns nothing of why an upgrade was refused, so a
 * socket that closes before its `hello` asks `vet` (the entry check) whether to retry at all.
 */
import type { ClientFrame, ServerFrame } from '../../../server/src/protocol.ts';
import { backoffDelay } from './backoff.ts';
import { decodeFrame } from './frames.ts';
import type { Link } from './state.ts';

export interface SocketOptions {
  /** ws:// or wss:// URL of `/ws`, without a query. */
  url: string;
  onFrame: (frame: ServerFrame) => void;
  /** `resumed`: this connection carried a resume token. `reason`: why it gave up for good. */
  onLink: (link: Link, info: { resumed: boolean; reason?: string }) => void;
  /** The protocol asks for a frame every 10 s from a client with nothing else to say. */
  pingEveryMs?: number;
  /** No frame at all for this long (the server sends stats every 10 s): the socket is dead. */
  silentMs?: number;
  random?: () => number;
  /**
   * Asked when a connection closed before its `hello` (a refused upgrade looks just like that):
   * true retries with backoff as usual, false waits for `start()` (a bot check to solve, a ban).
   */
  vet?: () => Promise<boolean>;
}

/** Close codes after which reconnecting would be wrong, with what to tell the user. */
const FINAL: Record<number, string> = {
  4001: 'This chat continued in another tab or window.',
  1008: 'The server closed the connection: too many refused messages.',
};

export class Socket {
  private ws: WebSocket | null = null;
  private resumeToken: string | null = null;
  private attempt = 0;
  private stopped = false;
  private retryTimer: ReturnType<typeof setTimeout> | null = null;
  private pingTimer: ReturnType<typeof setInterval> | null = null;
  private lastFrameAt = 0;
  /** The current socket got its `hello`. */
  private greeted = false;

  constructor(private readonly o: SocketOptions) {}

  /** Connects, unless a socket is already open or opening; a pending retry is brought forward. */
  start(): void {
    this.stopped = false;
    if (this.ws) return;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    this.open();
  }

  /** Sends a frame if the socket is open; false when it is not (the caller's UI is disabled then). */
  send(frame: ClientFrame): boolean {
    if (this.ws?.readyState !== WebSocket.OPEN) return false;
    this.ws.send(JSON.stringify(frame));
    return true;
  }

  stop(): void {
    this.stopped = true;
    this.clearTimers();
    this.ws?.close(1000, 'bye');
    this.ws = null;
  }

  private open(): void {
    const resumed = this.resumeToken !== null;
    const url = resumed ? `${this.o.url}?resume=${encodeURIComponent(this.resumeToken as string)}` : this.o.url;
    const ws = new WebSocket(url);
    this.ws = ws;
    this.greeted = false;
    ws.onopen = () => {
      this.attempt = 0;
      this.lastFrameAt = Date.now();
      this.startHeartbeat(ws);
      this.o.onLink('open', { resumed });
    };
    ws.onmessage = (e) => {
      this.lastFrameAt = Date.now();
      if (typeof e.data !== 'string') return;
      const frame = decodeFrame(e.data);
      if (!frame) return;
      if (frame.type === 'hello') {
        this.resumeToken = frame.resumeToken;
        this.greeted = true;
      }
      this.o.onFrame(frame);
    };
    ws.onclose = (e) => this.closed(ws, e.code);
  }

  private closed(ws: WebSocket, code: number): void {
    if (ws !== this.ws || this.stopped) return;
    this.clearTimers();
    this.ws = null;
    const final = FINAL[code];
    if (final) {
      this.o.onLink('closed', { resumed: false, reason: final });
      return;
    }
    this.o.onLink('reconnecting', { resumed: false });
    if (this.greeted || !this.o.vet) {
      this.retryLater();
      return;
    }
    void this.o.vet().then(
      (go) => go && this.retryLater(),
      () => this.retryLater(),
    );
  }

  private retryLater(): void {
    // Stopped, or started again meanwhile (the bot check was solved): nothing to schedule.
    if (this.stopped || this.ws || this.retryTimer) return;
    const delay = backoffDelay(this.attempt++, (this.o.random ?? Math.random)());
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      this.open();
    }, delay);
  }

  private startHeartbeat(ws: WebSocket): void {
    const every = this.o.pingEveryMs ?? 10_000;
    const silent = this.o.silentMs ?? 25_000;
    this.pingTimer = setInterval(() => {
      if (Date.now() - this.lastFrameAt > silent) {
        // A half-open connection never fires `close` by itself: drop it and reconnect.
        ws.close(4000, 'no frames from the server');
        this.closed(ws, 4000);
        return;
      }
      this.send({ type: 'ping', t: Date.now() });
    }, every);
  }

  private clearTimers(): void {
    if (this.retryTimer) clearTimeout(this.retryTimer);
    if (this.pingTimer) clearInterval(this.pingTimer);
    this.retryTimer = null;
    this.pingTimer = null;
  }
}
