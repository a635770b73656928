/**
 * The WebSocket gateway: Bun's native handlers for `/ws`. It only translates: frames in are
 * parsed and sent to the user's actor as `client.*` events; the actor decides everything else.
 */
import type { Server, ServerWebSocket, WebSocketHandler } from 'bun';
import { type Actor, type AnyStateMachine, createActor, createMachine, type InspectionEvent } from 'xstate';
import type { Limits } from '../config.ts';
import type { Metrics } from '../http/metrics.ts';
import { newId } from '../identity/ids.ts';
import type { ResumeTokens } from '../identity/resume.ts';
import type { Counts } from '../ports.ts';
import { type ClientFrame, encodeServerFrame, parseClientFrame, type ServerFrame } from '../protocol.ts';
import type { ClientEvent } from '../session/machine.ts';
import { Limiter } from './limiter.ts';
import type { Connection, Registry, SocketData } from './registry.ts';

export const STATS_TOPIC = 'stats';

export interface GatewayDeps {
  machine: AnyStateMachine;
  registry: Registry;
  tokens: ResumeTokens;
  limits: Limits;
  metrics: Metrics;
  /** Is media available (hello.video)? */
  video: () => boolean;
  counts: () => Counts;
  now: () => number;
  log: { warn(obj: object, msg: string): void; error(obj: object, msg: string): void };
  inspect?: ((event: InspectionEvent) => void) | undefined;
  /** Sees each accepted client frame and each socket close (the /admin trail of last events). */
  watch?: { frameIn(rec: Connection, type: string): void; socketClosed(rec: Connection): void } | undefined;
}

function toEvent(frame: ClientFrame): ClientEvent {
  return { ...frame, type: `client.${frame.type}` } as ClientEvent;
}

/**
 * The parent of every session actor on this instance. Children of one parent share one actor
 * system (scheduler, registry, inspection), which is most of what a lone actor costs in memory.
 *
 * Every child gets the same actor id, the machine's own (`user`; the inspector names actors by
 * it). A child's done and error events are typed by its id (`xstate.done.actor.<id>`), and XState
 * memoizes a machine's transitions per event type, so a unique id per actor (the default) grew the
 * parent's cache by ~110 bytes for every actor that ever finished: ~60 MB/h of RSS in a soak.
 * Actors are told apart by `sessionId`.
 *
 * The parent handles its children's errors (each child's own observer closes that one socket):
 * XState would otherwise put the parent in error too, and report that by throwing from a timer,
 * which ends the process.
 */
function instanceMachine(childId: string) {
  return createMachine({ id: 'instance', on: { [`xstate.error.actor.${childId}`]: {} } });
}

export class Gateway {
  private readonly root: Actor<ReturnType<typeof instanceMachine>>;

  constructor(private readonly d: GatewayDeps) {
    // Inspection is system-wide, so it is configured once, on the parent.
    this.root = createActor(instanceMachine(d.machine.id), d.inspect ? { inspect: d.inspect } : {});
    this.root.start();
  }

  /**
   * Tells every user silent for `heartbeatMs` to look at its heartbeat (the machine decides).
   * One pass over the users replaces a timer per user; run it about once a second.
   */
  checkHeartbeats(now: number, heartbeatMs: number): void {
    for (const c of this.d.registry.all()) {
      if (c.ws && now - c.lastFrameAt >= heartbeatMs) c.actor.send({ type: 'heartbeat.check' });
    }
  }

  handlers(): WebSocketHandler<SocketData> {
    return {
      // Big enough that an oversized frame still gets its `bad_frame` answer instead of a close.
      maxPayloadLength: 1024 * 1024,
      idleTimeout: 0, // our own heartbeat decides
      sendPings: true,
      open: (ws) => this.open(ws),
      message: (ws, raw) => this.message(ws, raw),
      close: (ws) => this.close(ws),
    };
  }

  /** Sends the current counts to every socket on this instance. */
  publishStats(server: Server<SocketData>): void {
    const frame = this.statsFrame();
    server.publish(STATS_TOPIC, encodeServerFrame(frame));
    this.d.metrics.frameOut('stats', this.d.registry.sockets());
  }

  /** Drain: every actor leaves now (sessions closed, partners re-queued), sockets closed with 1001. */
  shutdown(): void {
    for (const c of [...this.d.registry.all()]) c.actor.send({ type: 'server.shutdown' });
  }

  private open(ws: ServerWebSocket<SocketData>): void {
    const claimed = ws.data.resume ? this.d.tokens.verify(ws.data.resume) : null;
    const existing = claimed ? this.d.registry.get(claimed) : undefined;
    if (existing) {
      this.takeOver(existing, ws);
      return;
    }
    const userId = claimed ?? newId('u');
    const conn = newId('c');
    const actor = createActor(this.d.machine, { id: this.d.machine.id, input: { userId, conn }, parent: this.root });
    const now = this.d.now();
    const rec: Connection = { userId, conn, actor, ws, limiter: new Limiter(this.d.limits, now), lastFrameAt: now };
    ws.data.rec = rec;
    actor.subscribe({
      error: (error) => {
        this.d.log.error({ err: error, userId }, 'session actor failed');
        this.d.registry.closeSocket(userId, 1011, 'internal error');
        this.d.registry.release(userId, conn);
      },
    });
    this.d.registry.add(rec);
    this.greet(rec);
    actor.start();
  }

  /** A resumed socket (or a second tab with the same token) takes the user's actor over. */
  private takeOver(rec: Connection, ws: ServerWebSocket<SocketData>): void {
    const old = rec.ws;
    if (old) {
      old.data.rec = null;
      old.close(4001, 'replaced by a newer connection');
    }
    rec.ws = ws;
    rec.lastFrameAt = this.d.now();
    rec.limiter = new Limiter(this.d.limits, rec.lastFrameAt);
    ws.data.rec = rec;
    this.greet(rec);
    rec.actor.send({ type: 'socket.resumed' });
  }

  private greet(rec: Connection): void {
    const ws = rec.ws;
    if (!ws) return;
    this.send(ws, {
      type: 'hello',
      userId: rec.userId,
      resumeToken: this.d.tokens.sign(rec.userId),
      protocol: 1,
      video: this.d.video(),
    });
    this.send(ws, this.statsFrame());
    ws.subscribe(STATS_TOPIC);
  }

  private message(ws: ServerWebSocket<SocketData>, raw: string | Buffer): void {
    const rec = ws.data.rec;
    if (!rec) return;
    const now = this.d.now();
    rec.lastFrameAt = now;
    const wait = rec.limiter.take(now);
    if (wait > 0) {
      this.d.metrics.frameIn(null);
      this.refuse(ws, rec, { type: 'error', code: 'rate_limited', message: 'too many frames', retryAfterMs: wait });
      return;
    }
    const parsed = parseClientFrame(raw);
    if (!parsed.ok) {
      this.d.metrics.frameIn(null);
      this.refuse(ws, rec, { type: 'error', ...parsed.error });
      return;
    }
    this.d.metrics.frameIn(parsed.frame.type);
    this.d.watch?.frameIn(rec, parsed.frame.type);
    rec.actor.send(toEvent(parsed.frame));
  }

  private refuse(ws: ServerWebSocket<SocketData>, rec: Connection, frame: ServerFrame): void {
    this.send(ws, frame);
    if (rec.limiter.strike(this.d.now())) {
      this.d.log.warn({ userId: rec.userId }, 'closing abusive socket');
      ws.close(1008, 'too many refused frames');
    }
  }

  private close(ws: ServerWebSocket<SocketData>): void {
    const rec = ws.data.rec;
    if (!rec || rec.ws !== ws) return;
    rec.ws = null;
    ws.data.rec = null;
    this.d.watch?.socketClosed(rec);
    rec.actor.send({ type: 'socket.closed' });
  }

  private send(ws: ServerWebSocket<SocketData>, frame: ServerFrame): void {
    ws.send(encodeServerFrame(frame));
    this.d.metrics.frameOut(frame.type);
  }

  private statsFrame(): ServerFrame {
    const { online, waiting } = this.d.counts();
    return { type: 'stats', online, waiting };
  }
}
