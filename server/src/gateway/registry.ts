/**
 * The users connected to this instance: one record per user with its actor and (while connected)
 * its socket. It is the outbox actors write frames to, and where peer events are delivered.
 */
import type { ServerWebSocket } from 'bun';
import type { Actor, AnyStateMachine } from 'xstate';
import type { Trail } from '../admin/trail.ts';
import type { Metrics } from '../http/metrics.ts';
import type { PeerEvent } from '../ports.ts';
import { encodeServerFrame, type ServerFrame } from '../protocol.ts';
import type { Outbox } from '../session/effects.ts';
import type { Limiter } from './limiter.ts';

/** Per-socket data (Bun's `ws.data`). `rec` is null once the socket was replaced by a resume. */
export interface SocketData {
  rec: Connection | null;
  resume: string | null;
}

export interface Connection {
  userId: string;
  conn: string;
  actor: Actor<AnyStateMachine>;
  ws: ServerWebSocket<SocketData> | null;
  limiter: Limiter;
  /** When the last client frame arrived (any frame counts as a heartbeat). */
  lastFrameAt: number;
  /** The last few events, for /admin (created by its recorder on the first event). */
  trail?: Trail;
}

export class Registry implements Outbox {
  private readonly users = new Map<string, Connection>();

  constructor(private readonly metrics: () => Metrics | null) {}

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
    const ws = this.users.get(userId)?.ws;
    if (!ws) return;
    ws.send(encodeServerFrame(frame));
    this.metrics()?.frameOut(frame.type);
  }

  closeSocket(userId: string, code: number, reason: string): void {
    const c = this.users.get(userId);
    const ws = c?.ws;
    if (!c || !ws) return;
    c.ws = null; // the actor already knows; its close handler must not report it again
    ws.data.rec = null;
    ws.close(code, reason);
  }

  release(userId: string, conn: string): void {
    const c = this.users.get(userId);
    if (!c || c.conn !== conn) return;
    // Nothing to stop: an actor is released when it reaches its final state (or fails), and XState
    // then stops it itself, cancelling its timers.
    this.users.delete(userId);
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

  /** Live actors by the state of their session region (for metrics and the admin view). */
  countByState(): Record<string, number> {
    const counts: Record<string, number> = {};
    for (const c of this.users.values()) {
      const state = stateOf(c.actor);
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

/** The top-level state of an actor: idle, waiting, matched, inCall, skipped, suspended, disconnected. */
export function stateOf(actor: Actor<AnyStateMachine>): string {
  const value = actor.getSnapshot().value as string | Record<string, unknown>;
  return typeof value === 'string' ? value : (Object.keys(value)[0] ?? 'unknown');
}
