/**
 * The users connected to this instance: one record per user with its actor and (while connected)
 * its socket. It is the outbox actors write frames to, and where peer events are delivered.
 */
import type { Server, ServerWebSocket } from 'bun';
import type { Actor, AnyStateMachine } from 'xstate';
import type { FrameTap, Outbox, PeerEvent } from '../ports.ts';
import { encodeServerFrame, type ServerFrame } from '../protocol.ts';
import { protocolState } from '../session/machine.ts';
import type { Limiter } from './limiter.ts';

/** Per-socket data (Bun's `ws.data`). `rec` is null once the socket was replaced by a resume. */
export interface SocketData {
  rec: Connection | null;
  resume: string | null;
  /** Who the socket is (see identity/who.ts). */
  device: string;
  ipHash: string;
  /** Counted against its address by the admission until it closes. */
  admitted: boolean;
  /** Frames that came while the resume was being handed over (null once the socket has its actor). */
  early?: (string | Buffer)[] | null;
  /** The socket closed (possibly before it had its actor). */
  gone?: boolean;
}

export interface Connection {
  userId: string;
  conn: string;
  actor: Actor<AnyStateMachine>;
  ws: ServerWebSocket<SocketData> | null;
  limiter: Limiter;
  /** When the last client frame arrived (any frame counts as a heartbeat). */
  lastFrameAt: number;
}

/** The close reason (code 4002) for a socket whose client stopped reading. */
export const SEND_BUFFER_FULL = 'send buffer full: the client does not read';

export class Registry implements Outbox {
  private readonly users = new Map<string, Connection>();

  constructor(private readonly tap: FrameTap) {}

  get(userId: string): Connection | undefined {
    return this.users.get(userId);
  }

  add(c: Connection): void {
    this.users.set(c.userId, c);
  }

  get size(): number {
    return this.users.size;
  }

  all(): IterableIterator<Connection> {
    return this.users.values();
  }

  send(userId: string, frame: ServerFrame): void {
    const c = this.users.get(userId);
    if (c) this.write(c, frame);
  }

  /**
   * Every frame to one socket leaves through here, so each is serialized and tapped in one place.
   * Bun buffers what a socket cannot take yet up to the server's send-buffer limit and drops past
   * it: a client that does not read would lose frames without knowing. Here nothing is dropped
   * quietly: the first frame Bun refuses closes that socket with 4002, and the actor is told the
   * socket is gone (its partner hears of it as of any other drop).
   */
  write(c: Connection, frame: ServerFrame): void {
    const ws = c.ws;
    if (!ws) return;
    if (ws.send(encodeServerFrame(frame)) === 0 && ws.readyState === 1) {
      this.overflowed(c, ws);
      return;
    }
    this.tap.frameOut(c.userId, frame.type, 1);
  }

  private overflowed(c: Connection, ws: ServerWebSocket<SocketData>): void {
    c.ws = null;
    ws.data.rec = null;
    this.tap.socketClosed(c.userId, SEND_BUFFER_FULL);
    ws.close(4002, SEND_BUFFER_FULL);
    // The close frame waits behind the full buffer: a client that reads again gets it, with the
    // code; one that never does is cut off.
    setTimeout(() => ws.readyState !== 3 && ws.terminate(), 10_000).unref();
    // Told after the action that wrote is done (this may run inside one of the actor's own).
    queueMicrotask(() => c.actor.send({ type: 'socket.closed' }));
  }

  /** One frame to every socket subscribed to `topic` (Bun's pub/sub: serialized once). */
  broadcast(server: Server<SocketData>, topic: string, frame: ServerFrame): void {
    server.publish(topic, encodeServerFrame(frame));
    this.tap.frameOut(null, frame.type, this.sockets());
  }

  closeSocket(userId: string, code: number, reason: string): void {
    const c = this.users.get(userId);
    const ws = c?.ws;
    if (!c || !ws) return;
    c.ws = null; // the actor already knows; its close handler must not report it again
    ws.data.rec = null;
    this.tap.socketClosed(userId, reason);
    ws.close(code, reason);
  }

  /** The client closed `c`'s socket (the actor is told by the caller). */
  detach(c: Connection): void {
    const ws = c.ws;
    if (ws) ws.data.rec = null;
    c.ws = null;
    this.tap.socketClosed(c.userId, 'socket closed');
  }

  release(userId: string, conn: string): void {
    const c = this.users.get(userId);
    if (!c || c.conn !== conn) return;
    // Nothing to stop: an actor is released when it reaches its final state (or fails), and XState
    // then stops it itself, cancelling its timers.
    this.users.delete(userId);
    this.tap.released(userId, conn);
  }

  /** The heartbeat's reference point; an unknown user has been silent forever. */
  lastFrameAt = (userId: string): number => this.users.get(userId)?.lastFrameAt ?? 0;

  deliver = (userId: string, event: PeerEvent): void => {
    const c = this.users.get(userId);
    if (!c) return;
    // Frames this event produces (peerLeft then waiting, say) leave in one write.
    if (c.ws) c.ws.cork(() => c.actor.send(event));
    else c.actor.send(event);
  };

  /** Live actors by their protocol state (metrics' `matcher_actors{state}`). */
  countByState(): Record<string, number> {
    const counts: Record<string, number> = {};
    for (const c of this.users.values()) {
      const state = protocolState(c.actor.getSnapshot().value);
      counts[state] = (counts[state] ?? 0) + 1;
    }
    return counts;
  }

  sockets(): number {
    let n = 0;
    for (const c of this.users.values()) if (c.ws) n++;
    return n;
  }
}
