/**
 * The WebSocket gateway: Bun's native handlers for `/ws`, and the upgrade that leads there. It
 * only translates: frames in are parsed and sent to the user's actor as `client.*` events; the
 * actor decides everything else.
 */
import type { Server, ServerWebSocket, WebSocketHandler } from 'bun';
import { type Actor, type AnyStateMachine, createActor, createMachine, type InspectionEvent } from 'xstate';
import type { Config } from '../config.ts';
import { cookieValue } from '../identity/device.ts';
import { newId } from '../identity/ids.ts';
import { PASS_COOKIE, type Passes } from '../identity/pass.ts';
import type { ResumeTokens } from '../identity/resume.ts';
import type { Identities } from '../identity/who.ts';
import type { Admission, Admit, Counts, FrameTap, Handover, Moderation, Seen, SessionInfo } from '../ports.ts';
import { type ClientFrame, parseClientFrame, type ServerFrame } from '../protocol.ts';
import { clientEvent } from '../session/client-events.ts';
import { bannedFrame } from '../session/effects.ts';
import { Limiter } from './limiter.ts';
import type { Connection, Registry, SocketData } from './registry.ts';

export const STATS_TOPIC = 'stats';

export interface GatewayDeps {
  machine: AnyStateMachine;
  registry: Registry;
  tokens: ResumeTokens;
  /** Resume across instances (null: one instance, nothing held elsewhere). */
  handover: Handover | null;
  /** Who a request is: device cookie and address hash. */
  identities: Identities;
  /** Connection limits per address, and the bot-check pass that lifts the first one. */
  admission: Admission;
  passes: Passes;
  /** Bans (a banned device is told at once, and refused at enqueue). */
  moderation: Pick<Moderation, 'banOf'>;
  /** A connection got its actor: which device and address it stands for (journaled). */
  seen: (seen: Seen) => void;
  /** Before a device may meet anyone: the store has its blocks. */
  prepare: (device: string) => Promise<void>;
  /** Flood control, the origins allowed to open `/ws` (null: any), and the stats and heartbeat timers. */
  config: Pick<Config, 'limits' | 'allowedOrigins' | 'timers' | 'instanceId'>;
  /** Sees every client frame (metrics, the /admin trail); frames out are tapped by the registry. */
  tap: FrameTap;
  /** Is media available (hello.video)? */
  video: () => boolean;
  counts: () => Counts;
  /** The clock (default Date.now). */
  now?: () => number;
  log: { warn(obj: object, msg: string): void; error(obj: object, msg: string): void };
  inspect?: ((event: InspectionEvent) => void) | undefined;
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
  private timers: ReturnType<typeof setInterval>[] = [];
  /** Set by `shutdown()`: new sockets are refused and /readyz says so. */
  draining = false;

  private readonly now: () => number;

  constructor(private readonly d: GatewayDeps) {
    this.now = d.now ?? Date.now;
    // Inspection is system-wide, so it is configured once, on the parent.
    this.root = createActor(instanceMachine(d.machine.id), d.inspect ? { inspect: d.inspect } : {});
    this.root.start();
  }

  /**
   * `GET /ws`: the origin check, the drain, then Bun's upgrade. Undefined when upgraded (Bun
   * answers the handshake itself), else the refusal.
   */
  async upgrade(req: Request, server: Server<SocketData>, url: URL): Promise<Response | undefined> {
    const origin = req.headers.get('origin');
    const allowed = this.d.config.allowedOrigins;
    if (allowed && origin && !allowed.includes(origin)) return new Response('origin not allowed', { status: 403 });
    if (this.draining) return new Response('server is shutting down', { status: 503 });
    if (req.headers.get('upgrade')?.toLowerCase() !== 'websocket') {
      return new Response('expected a WebSocket upgrade', { status: 426 });
    }
    const who = this.d.identities.of(req.headers, server.requestIP(req)?.address ?? '');
    const passed = this.d.passes.valid(cookieValue(req.headers.get('cookie'), PASS_COOKIE), who.device.id);
    const admit = await this.d.admission.admit(who.ipHash, passed).catch((): Admit => ({ ok: true }));
    if (!admit.ok) return refusal(admit);
    try {
      // A device issued just now has no blocks yet; a returning one may, and the store must have them.
      if (!who.setCookie) await this.d.prepare(who.device.id);
    } catch (error) {
      this.d.admission.left(who.ipHash);
      this.d.log.warn({ err: (error as Error).message }, 'could not load a device’s blocks; refused');
      return Response.json({ error: 'unavailable', message: 'try again shortly' }, { status: 503 });
    }
    const data: SocketData = {
      rec: null,
      resume: url.searchParams.get('resume'),
      device: who.device.id,
      ipHash: who.ipHash,
      admitted: true,
    };
    const headers = who.setCookie ? { 'Set-Cookie': who.setCookie } : undefined;
    if (server.upgrade(req, headers ? { data, headers } : { data })) return undefined;
    this.d.admission.left(who.ipHash);
    return new Response('expected a WebSocket upgrade', { status: 426 });
  }

  /** Starts the two sweeps: `stats` to every socket, and the heartbeat check. */
  start(server: Server<SocketData>): void {
    const { timers } = this.d.config;
    const heartbeatMs = timers.heartbeatTimeoutMs;
    this.timers = [
      setInterval(() => this.publishStats(server), timers.statsIntervalMs),
      setInterval(() => this.checkHeartbeats(this.now(), heartbeatMs), Math.max(50, Math.min(1000, heartbeatMs / 4))),
    ];
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
      // What one socket may have waiting to be sent; past it the registry closes it (4002).
      backpressureLimit: this.d.config.limits.sendBufferBytes,
      closeOnBackpressureLimit: false,
      idleTimeout: 0, // our own heartbeat decides
      sendPings: true,
      open: (ws) => this.open(ws),
      message: (ws, raw) => this.message(ws, raw),
      close: (ws) => this.close(ws),
    };
  }

  /** Sends the current counts to every socket on this instance. */
  publishStats(server: Server<SocketData>): void {
    this.d.registry.broadcast(server, STATS_TOPIC, this.statsFrame());
  }

  /** Drain: no new sockets; every actor leaves now (sessions closed, partners re-queued), sockets closed with 1001. */
  shutdown(): void {
    this.draining = true;
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
    for (const c of [...this.d.registry.all()]) c.actor.send({ type: 'server.shutdown' });
  }

  /**
   * A new socket: a fresh user, or the user its resume token names. A token takes back its own
   * connection while that is held — here, or on another instance through the handover — whatever
   * its age; past that it keeps the user id only while it is fresh (see identity/resume.ts).
   */
  private open(ws: ServerWebSocket<SocketData>): void {
    const claim = ws.data.resume ? this.d.tokens.verify(ws.data.resume) : null;
    if (!claim) {
      this.create(ws, newId('u'), newId('c'), null);
      return;
    }
    const existing = this.d.registry.get(claim.userId);
    if (existing && (existing.conn === claim.conn || claim.fresh)) {
      this.takeOver(existing, ws);
      return;
    }
    const userId = claim.fresh ? claim.userId : newId('u');
    if (existing || !this.d.handover) {
      this.create(ws, existing ? newId('u') : userId, newId('c'), null);
      return;
    }
    // Perhaps held by another instance: ask the store to hand it over; frames wait meanwhile.
    ws.data.early = [];
    this.d.handover.adopt(claim.userId, claim.conn).then(
      (session) => this.adopted(ws, session ? { userId: claim.userId, conn: claim.conn, session } : null, userId),
      (error) => {
        this.d.log.warn({ err: (error as Error).message }, 'resume handover failed; starting afresh');
        this.adopted(ws, null, userId);
      },
    );
  }

  private adopted(
    ws: ServerWebSocket<SocketData>,
    taken: { userId: string; conn: string; session: SessionInfo } | null,
    userId: string,
  ): void {
    const early = ws.data.early ?? [];
    ws.data.early = null;
    const rec = taken
      ? this.create(ws, taken.userId, taken.conn, taken.session)
      : this.create(ws, userId, newId('c'), null);
    if (ws.data.gone) {
      this.d.registry.detach(rec);
      rec.actor.send({ type: 'socket.closed' });
      return;
    }
    for (const raw of early) this.message(ws, raw);
  }

  private create(
    ws: ServerWebSocket<SocketData>,
    userId: string,
    conn: string,
    session: SessionInfo | null,
  ): Connection {
    const { device, ipHash } = ws.data;
    const input = { userId, conn, device, ipHash };
    const actor = createActor(this.d.machine, { id: this.d.machine.id, input, parent: this.root });
    const now = this.now();
    const rec: Connection = {
      userId,
      conn,
      actor,
      ws,
      limiter: new Limiter(this.d.config.limits, now),
      lastFrameAt: now,
    };
    ws.data.rec = rec;
    actor.subscribe({
      error: (error) => {
        this.d.log.error({ err: error, userId }, 'session actor failed');
        this.d.registry.closeSocket(userId, 1011, 'internal error');
        this.d.registry.release(userId, conn);
      },
    });
    this.d.registry.add(rec);
    this.d.seen({ userId, device, ipHash, at: now });
    this.greet(rec);
    actor.start();
    if (session) actor.send({ type: 'session.adopted', session });
    return rec;
  }

  /** A resumed socket (or a second tab with the same token) takes the user's actor over. */
  private takeOver(rec: Connection, ws: ServerWebSocket<SocketData>): void {
    const old = rec.ws;
    if (old) {
      old.data.rec = null;
      old.close(4001, 'replaced by a newer connection');
    }
    rec.ws = ws;
    rec.lastFrameAt = this.now();
    rec.limiter = new Limiter(this.d.config.limits, rec.lastFrameAt);
    ws.data.rec = rec;
    this.greet(rec);
    rec.actor.send({ type: 'socket.resumed' });
  }

  private greet(rec: Connection): void {
    const ws = rec.ws;
    if (!ws) return;
    const { registry } = this.d;
    registry.write(rec, {
      type: 'hello',
      userId: rec.userId,
      resumeToken: this.d.tokens.sign(rec.userId, rec.conn),
      protocol: 1,
      video: this.d.video(),
    });
    registry.write(rec, this.statsFrame());
    ws.subscribe(STATS_TOPIC);
    // Told at once, not only when it presses Start.
    const ban = this.d.moderation.banOf(ws.data);
    if (ban) registry.write(rec, bannedFrame(ban, this.now()));
  }

  private message(ws: ServerWebSocket<SocketData>, raw: string | Buffer): void {
    const rec = ws.data.rec;
    if (!rec) {
      // Still being handed over: kept, in order, up to a burst's worth (the flood limit applies after).
      if (ws.data.early && ws.data.early.length < this.d.config.limits.frameBurst) ws.data.early.push(raw);
      return;
    }
    const now = this.now();
    rec.lastFrameAt = now;
    const wait = rec.limiter.take(now);
    if (wait > 0) {
      this.d.tap.frameIn(rec.userId, null);
      this.refuse(ws, rec, { type: 'error', code: 'rate_limited', message: 'too many frames', retryAfterMs: wait });
      return;
    }
    const parsed = parseClientFrame(raw);
    if (!parsed.ok) {
      this.d.tap.frameIn(rec.userId, null);
      this.refuse(ws, rec, { type: 'error', ...parsed.error });
      return;
    }
    this.d.tap.frameIn(rec.userId, parsed.frame.type);
    if ((parsed.frame.type === 'message' || parsed.frame.type === 'typing') && this.relayDirect(rec, parsed.frame))
      return;
    rec.actor.send(clientEvent(parsed.frame));
  }

  /**
   * Chat between two users of this instance, in a session both are in, goes straight from one
   * socket to the other: exactly what the two actors would do (the sender's relays it, the
   * partner's emits it; neither changes state), read from their snapshots instead of sent to them
   * as two events. Anything else (another instance, a stale session, a partner not in `paired`)
   * takes the actors' path, which answers it. Not while the Stately inspector watches, so it sees
   * every event.
   */
  private relayDirect(rec: Connection, frame: Extract<ClientFrame, { type: 'message' | 'typing' }>): boolean {
    if (this.d.inspect) return false;
    const session = inPaired(rec.actor.getSnapshot(), frame.sessionId);
    if (!session || session.partnerInstance !== this.d.config.instanceId) return false;
    const partner = this.d.registry.get(session.partnerId);
    if (!partner || !inPaired(partner.actor.getSnapshot(), frame.sessionId)) return false;
    this.d.registry.write(
      partner,
      frame.type === 'message'
        ? { type: 'message', sessionId: frame.sessionId, text: frame.text, at: this.now() }
        : { type: 'typing', sessionId: frame.sessionId, typing: frame.typing },
    );
    return true;
  }

  private refuse(ws: ServerWebSocket<SocketData>, rec: Connection, frame: ServerFrame): void {
    this.d.registry.write(rec, frame);
    if (rec.limiter.strike(this.now())) {
      this.d.log.warn({ userId: rec.userId }, 'closing abusive socket');
      ws.close(1008, 'too many refused frames');
    }
  }

  private close(ws: ServerWebSocket<SocketData>): void {
    ws.data.gone = true;
    if (ws.data.admitted) {
      ws.data.admitted = false;
      this.d.admission.left(ws.data.ipHash);
    }
    const rec = ws.data.rec;
    if (!rec || rec.ws !== ws) return;
    this.d.registry.detach(rec);
    rec.actor.send({ type: 'socket.closed' });
  }

  private statsFrame(): ServerFrame {
    const { online, waiting } = this.d.counts();
    return { type: 'stats', online, waiting };
  }
}

/** A connection refused at the door: 429 with when to try again, and whether a bot check would help. */
function refusal(admit: Extract<Admit, { ok: false }>): Response {
  const messages = {
    challenge: 'too many connections from this address: solve the bot check (GET /api/entry) first',
    busy: 'too many connections from this address: try again later',
    full: 'too many open connections from this address',
  };
  return Response.json(
    { error: admit.why, message: messages[admit.why], retryAfterMs: admit.retryAfterMs },
    { status: 429, headers: { 'Retry-After': String(Math.max(1, Math.ceil(admit.retryAfterMs / 1000))) } },
  );
}

/** The session of a snapshot in `paired` whose current session is `sessionId`; null otherwise. */
function inPaired(
  snap: { matches(state: 'paired'): boolean; context: { session?: SessionInfo | null } },
  sessionId: string,
) {
  const session = snap.context.session;
  return session && session.sessionId === sessionId && snap.matches('paired') ? session : null;
}
