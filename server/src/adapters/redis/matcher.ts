/**
 * Redis matcher: the queue, sessions, presence and chat relay shared by every instance.
 * Each operation is one Lua script (one round trip, atomic); partners on other instances are told
 * by the script itself through pub/sub, partners on this instance are delivered to directly.
 */
import type Redis from 'ioredis';
import type { Rate } from '../../config.ts';
import { SCAN_LIMIT } from '../../matching/compat.ts';
import { periodOf } from '../../matching/rate.ts';
import type {
  Beat,
  ClaimResult,
  ClosedSession,
  Closer,
  Deliver,
  Handover,
  Matcher,
  PeerEvent,
  Presence,
  Relay,
  SessionInfo,
  Ticket,
} from '../../ports.ts';
import type { LeaveReason, Mode } from '../../protocol.ts';
import { channelOf, encodeRelay, splitTags } from './bus.ts';
import { defineScripts, type ScriptCall, type ScriptName } from './scripts.ts';

export interface RedisMatcherOptions {
  redis: Redis;
  /** Hash tag, e.g. "mm": keys become "{mm}:...". */
  prefix: string;
  instanceId: string;
  deliver: Deliver;
  interestFallbackMs: number;
  rematchCooldownMs: number;
  /** Per device: enqueues (Start) and skips allowed. */
  limits: { enqueue: Rate; skip: Rate };
  /** An instance that has not beaten for this long is dead and gets swept. */
  instanceTtlMs?: number;
  now?: () => number;
}

type Row = (string | number | null)[];

/** How long chat for a user that resumed elsewhere is forwarded there (its partner learns of the move in ms). */
const FORWARD_MS = 10_000;

const str = (v: unknown): string => (v === null || v === undefined ? '' : String(v));

/** A session as the claim and adopt scripts name it (their fields, as strings). */
function sessionOf(
  f: Record<
    'sessionId' | 'partnerId' | 'partnerInstance' | 'mode' | 'common' | 'startedAt' | 'partnerDevice',
    string | undefined
  >,
): SessionInfo {
  return {
    sessionId: str(f.sessionId),
    mode: f.mode as Mode,
    partnerId: str(f.partnerId),
    partnerDevice: str(f.partnerDevice),
    partnerInstance: str(f.partnerInstance),
    commonInterests: splitTags(f.common),
    startedAt: Number(f.startedAt),
  };
}

/** Parses the 10-tuple that closeSession returns; also delivers `peer.left` to a local partner. */
function closedFrom(row: Row, offset = 0): ClosedSession & { partner: string; partnerInst: string } {
  const at = (i: number) => str(row[offset + i]);
  return {
    sessionId: at(0),
    userA: at(1),
    userB: at(2),
    mode: at(3) as Mode,
    startedAt: Number(at(4)),
    endedAt: Number(at(5)),
    endedBy: at(6),
    reason: at(7) as LeaveReason,
    partner: at(8),
    partnerInst: at(9),
  };
}

export class RedisMatcher implements Matcher, Relay, Presence, Handover {
  readonly prefix: string;
  private readonly scripts: Record<ScriptName, ScriptCall>;
  private readonly now: () => number;
  private readonly ttl: number;

  constructor(private readonly opts: RedisMatcherOptions) {
    this.prefix = `{${opts.prefix}}:`;
    this.scripts = defineScripts(opts.redis);
    this.now = opts.now ?? Date.now;
    this.ttl = opts.instanceTtlMs ?? 15_000;
  }

  /** This instance's pub/sub channel. */
  get channel(): string {
    return channelOf(this.prefix, this.opts.instanceId);
  }

  async claim(t: Ticket): Promise<ClaimResult> {
    const P = this.prefix;
    const queue = t.pool === 'shadow' ? `${t.mode}:shadow` : t.mode;
    const { enqueue } = this.opts.limits;
    const row = (await this.scripts.claim(
      [`${P}q:${queue}`, `${P}u:${t.userId}`],
      [
        P,
        t.userId,
        t.conn,
        this.opts.instanceId,
        t.mode,
        t.since,
        this.now(),
        t.interests.join('\n'),
        t.sessionId,
        this.opts.interestFallbackMs,
        this.opts.rematchCooldownMs,
        SCAN_LIMIT,
        t.device,
        t.ipHash,
        t.origin,
        periodOf(enqueue),
        enqueue.burst,
        queue,
        t.closing?.sessionId ?? '',
        t.closing?.reason ?? '',
        periodOf(this.opts.limits.skip),
        this.opts.limits.skip.burst,
      ],
    )) as Row;
    if (row[0] === 'limited') {
      return this.withEnded({ kind: 'limited', retryInMs: Number(row[1]) }, row, 2);
    }
    if (row[0] === 'queued') {
      const retry = Number(row[1]);
      return this.withEnded({ kind: 'queued', retryInMs: retry < 0 ? null : retry }, row, 2);
    }
    const [, sessionId, partnerId, partnerInstance, mode, common, startedAt, formed, , partnerSince, partnerDevice] =
      row.map(str);
    const session = sessionOf({ sessionId, partnerId, partnerInstance, mode, common, startedAt, partnerDevice });
    if (formed === '1' && partnerInstance === this.opts.instanceId) {
      this.local(session.partnerId, {
        type: 'queue.matched',
        session: { ...session, partnerId: t.userId, partnerDevice: t.device, partnerInstance: this.opts.instanceId },
        since: Number(partnerSince),
      });
    }
    return this.withEnded({ kind: 'matched', session, formed: formed === '1' }, row, 11);
  }

  /** The sessions a claim closed: 10-tuples from `offset` on (each partner here is told). */
  private withEnded(result: ClaimResult, row: Row, offset: number): ClaimResult {
    const ended: ClosedSession[] = [];
    for (let i = offset; i + 9 < row.length; i += 10) ended.push(this.closedAt(row, i));
    if (ended.length > 0) result.ended = ended;
    return result;
  }

  async ready(sessionId: string, userId: string): Promise<{ connected: boolean }> {
    const row = (await this.scripts.ready(
      [`${this.prefix}s:${sessionId}`],
      [this.prefix, userId, this.opts.instanceId],
    )) as Row;
    if (str(row[1]) === '1' && str(row[3]) === this.opts.instanceId) {
      this.local(str(row[2]), { type: 'session.connected', sessionId });
    }
    return { connected: str(row[0]) === '1' };
  }

  async close(sessionId: string, by: Closer, reason: LeaveReason): Promise<ClosedSession | null> {
    const [closer, system] = typeof by === 'string' ? [by, ''] : [by.member ?? '', by.system];
    const row = (await this.scripts.close(
      [`${this.prefix}s:${sessionId}`],
      [
        this.prefix,
        sessionId,
        closer,
        reason,
        this.now(),
        this.opts.rematchCooldownMs,
        this.opts.instanceId,
        system,
        periodOf(this.opts.limits.skip),
        this.opts.limits.skip.burst,
      ],
    )) as Row | null;
    if (!row) return null;
    // A system close told the other member too; deliver to it here if it is on this instance.
    if (row.length > 11 && str(row[11]) === this.opts.instanceId) {
      const member = typeof by === 'string' ? undefined : by.member;
      this.local(str(row[10]), member ? { type: 'media.left', sessionId } : { type: 'peer.left', sessionId, reason });
    }
    return this.closed(row);
  }

  async leave(userId: string, conn: string, reason: LeaveReason): Promise<ClosedSession | null> {
    const row = (await this.scripts.leave(
      [`${this.prefix}u:${userId}`],
      [this.prefix, userId, conn, reason, this.now(), this.opts.rematchCooldownMs, this.opts.instanceId],
    )) as Row | null;
    return row ? this.closed(row) : null;
  }

  async adopt(userId: string, conn: string): Promise<SessionInfo | null> {
    const row = (await this.scripts.adopt(
      [`${this.prefix}u:${userId}`],
      [this.prefix, userId, conn, this.opts.instanceId],
    )) as Row;
    if (str(row[0]) !== 'moved') return null;
    const [, sessionId, partnerId, partnerInstance, mode, common, startedAt, partnerDevice] = row.map(str);
    const session = sessionOf({ sessionId, partnerId, partnerInstance, mode, common, startedAt, partnerDevice });
    // The script tells a partner on another instance; one here is told now.
    if (session.partnerInstance === this.opts.instanceId) {
      this.local(session.partnerId, {
        type: 'peer.moved',
        sessionId: session.sessionId,
        instance: this.opts.instanceId,
      });
    }
    return session;
  }

  /**
   * A user of this instance resumed on `instance`: for a few seconds, chat that still comes here
   * for it (its partner had not heard of the move yet) is sent on there.
   */
  forwardTo(userId: string, instance: string): void {
    this.forwards.set(userId, { instance, until: this.now() + FORWARD_MS });
    if (this.forwards.size > 1000) {
      for (const [id, f] of this.forwards) if (f.until < this.now()) this.forwards.delete(id);
    }
  }

  /** Sends on an event for a user that is no longer here, if it moved a moment ago; false otherwise. */
  forward(userId: string, event: PeerEvent): boolean {
    const f = this.forwards.get(userId);
    if (!f || f.until < this.now()) return false;
    this.relay(userId, f.instance, event);
    return true;
  }

  private readonly forwards = new Map<string, { instance: string; until: number }>();

  relay(toUserId: string, toInstance: string, event: PeerEvent): void {
    if (toInstance === this.opts.instanceId) {
      this.local(toUserId, event);
      return;
    }
    const payload = encodeRelay(toUserId, event);
    if (payload) this.opts.redis.publish(channelOf(this.prefix, toInstance), payload).catch(() => {});
  }

  async beat(localOnline: number): Promise<Beat> {
    const row = (await this.scripts.beat(
      [`${this.prefix}insts:all`],
      [
        this.prefix,
        this.opts.instanceId,
        this.now(),
        localOnline,
        this.ttl,
        this.epoch === null ? '0' : '1',
        crypto.randomUUID(),
      ],
    )) as Row;
    const [online, waiting, epoch, swept] = row.map(str);
    this.dead = row.slice(4).map(str);
    // A new epoch means Redis lost everything since the last beat; it wins over `swept`.
    const reset = this.epoch !== null && epoch !== this.epoch;
    this.epoch = epoch ?? null;
    const lost = reset ? 'reset' : swept === '1' ? 'swept' : null;
    return { online: Number(online), waiting: Number(waiting), lost, dead: [...this.dead] };
  }

  /** Instances found dead by the last beat. */
  private dead: string[] = [];
  /** The store's epoch as of the last beat (null before the first). */
  private epoch: string | null = null;

  async sweep(instances: string[] = this.dead, force = false): Promise<ClosedSession[]> {
    const out: ClosedSession[] = [];
    for (const inst of instances) {
      for (let round = 0; round < 100; round++) {
        const row = (await this.scripts.sweep(
          [`${this.prefix}iu:${inst}`],
          [this.prefix, inst, this.now(), this.opts.rematchCooldownMs, 200, force ? '1' : '0'],
        )) as Row;
        for (let i = 1; i + 9 < row.length; i += 10) out.push(closedFrom(row, i));
        if (str(row[0]) === '1') break;
      }
    }
    return out;
  }

  /** Clears what a previous run of this same instance id left behind (before taking traffic). */
  async sweepOwn(): Promise<ClosedSession[]> {
    return this.sweep([this.opts.instanceId], true);
  }

  /**
   * Makes sure Redis has `device`'s blocks: loaded from PostgreSQL (`load`) the first time the
   * device connects after Redis lost them (or ever), then marked for a day.
   */
  async ensureBlocks(device: string, load: (devices: string[]) => Promise<[string, string][]>): Promise<void> {
    const mark = `${this.prefix}blkok:${device}`;
    if ((await this.opts.redis.exists(mark)) === 1) return;
    await this.restoreBlocks(await load([device]));
    await this.opts.redis.set(mark, '1', 'PX', 86_400_000);
  }

  /** Puts blocks back (after Redis lost them): each pair blocks both ways, as a report does. */
  async restoreBlocks(pairs: [string, string][]): Promise<void> {
    if (pairs.length === 0) return;
    const multi = this.opts.redis.multi();
    for (const [a, b] of pairs) multi.sadd(`${this.prefix}blk:${a}`, b).sadd(`${this.prefix}blk:${b}`, a);
    await multi.exec();
  }

  private closed(row: Row): ClosedSession {
    return this.closedAt(row, 0);
  }

  private closedAt(row: Row, offset: number): ClosedSession {
    const c = closedFrom(row, offset);
    if (c.partnerInst === this.opts.instanceId) {
      this.local(c.partner, { type: 'peer.left', sessionId: c.sessionId, reason: c.reason });
    }
    const { partner: _p, partnerInst: _i, ...session } = c;
    return session;
  }

  private local(userId: string, event: PeerEvent): void {
    queueMicrotask(() => this.opts.deliver(userId, event));
  }
}
