/**
 * In-process matcher: the embedded default when REDIS_URL is unset (one instance only).
 * Same contract as the Redis adapter (see matcher.contract.ts); every method runs to completion
 * synchronously, which is what makes it atomic.
 */

import type { Rate } from '../../config.ts';
import { type Candidate, choose, SCAN_LIMIT } from '../../matching/compat.ts';
import { RateLimiter } from '../../matching/rate.ts';
import type {
  Beat,
  ClaimResult,
  ClosedSession,
  Closer,
  Deliver,
  Matcher,
  PeerEvent,
  Presence,
  Relay,
  SessionInfo,
  Ticket,
} from '../../ports.ts';
import type { LeaveReason, Mode } from '../../protocol.ts';
import type { MemoryJournal } from './journal.ts';

interface UserEntry {
  conn: string;
  mode: Mode;
  /** The queue it waits in: its mode's, or the mode's shadow pool. */
  queue: string;
  device: string;
  interests: string[];
  since: number;
  sessionId: string | null;
}

interface SessionEntry {
  sessionId: string;
  a: string;
  b: string;
  /** The members' devices: cooldowns, blocks and the skip limit hold on them. */
  da: string;
  db: string;
  mode: Mode;
  common: string[];
  startedAt: number;
  ready: Set<string>;
  live: boolean;
}

export interface MemoryMatcherOptions {
  deliver: Deliver;
  /** Where each session's start and end are written, in the same step as the change. */
  journal: Pick<MemoryJournal, 'push'>;
  interestFallbackMs: number;
  rematchCooldownMs: number;
  /** Per device: enqueues (Start) and skips allowed. */
  limits: { enqueue: Rate; skip: Rate };
  instanceId: string;
  now?: () => number;
}

/** The in-memory matcher, relay and presence for a single instance. */
export class MemoryMatcher implements Matcher, Relay, Presence {
  /** Queue name ('video', 'text:shadow', …) → its users, oldest first. */
  private readonly queues = new Map<string, Map<string, true>>();
  /** Per queue and tag, the waiting users who named it, oldest first (the interest index). */
  private readonly byTag = new Map<string, Map<string, Map<string, true>>>();
  private readonly users = new Map<string, UserEntry>();
  private readonly sessions = new Map<string, SessionEntry>();
  /** device → (other device → when they last parted by skip, end, report or timeout). */
  private readonly cooldowns = new Map<string, Map<string, number>>();
  /** device → devices it must never meet (a report blocks both ways). */
  private readonly blocks = new Map<string, Set<string>>();
  private readonly rates = new RateLimiter();
  /** device → until when it cools down after skipping too fast. */
  private readonly cooling = new Map<string, number>();
  private readonly now: () => number;

  constructor(private readonly opts: MemoryMatcherOptions) {
    this.now = opts.now ?? Date.now;
  }

  async claim(t: Ticket): Promise<ClaimResult> {
    const ended: ClosedSession[] = [];
    // The session this user leaves as it queues again (a skip): closed first, as close() would.
    const leaving = t.closing ? this.sessions.get(t.closing.sessionId) : undefined;
    if (t.closing && leaving && (leaving.a === t.userId || leaving.b === t.userId)) {
      ended.push(this.closeEntry(leaving, t.userId, t.closing.reason));
    }
    const existing = this.users.get(t.userId);
    const open = existing?.sessionId ? this.sessions.get(existing.sessionId) : undefined;
    if (open && existing) {
      // Same connection and same waiting episode: we were claimed while asking; hand it back.
      if (existing.conn === t.conn && existing.since === t.since) {
        const again: ClaimResult = { kind: 'matched', session: this.view(open, t.userId), formed: false };
        if (ended.length > 0) again.ended = ended;
        return again;
      }
      ended.push(this.closeEntry(open, t.userId, 'disconnect'));
    }
    const wait = this.limited(t);
    const result: ClaimResult = wait > 0 ? this.refuse(t, wait) : this.pair(t);
    if (ended.length > 0) result.ended = ended;
    return result;
  }

  /** Cooling down after too many skips, or over the enqueue limit: how long until it may queue. */
  private limited(t: Ticket): number {
    const now = this.now();
    const cool = (this.cooling.get(t.device) ?? 0) - now;
    if (cool > 0) return cool;
    return t.origin === 'enqueue' ? this.rates.take(`enq:${t.device}`, now, this.opts.limits.enqueue) : 0;
  }

  private refuse(t: Ticket, wait: number): ClaimResult {
    const previous = this.users.get(t.userId);
    if (previous) this.dequeue(t.userId, previous);
    return { kind: 'limited', retryInMs: Math.ceil(wait) };
  }

  private pair(t: Ticket): ClaimResult {
    const queueName = t.pool === 'shadow' ? `${t.mode}:shadow` : t.mode;
    const queue = this.queueOf(queueName);
    const previous = this.users.get(t.userId);
    // A retry keeps its place in the queue (fairness is by time waited); anything else leaves it.
    if (previous && (previous.queue !== queueName || previous.since !== t.since)) this.dequeue(t.userId, previous);
    this.users.set(t.userId, {
      conn: t.conn,
      mode: t.mode,
      queue: queueName,
      device: t.device,
      interests: t.interests,
      since: t.since,
      sessionId: null,
    });
    const others = queue.size - (queue.has(t.userId) ? 1 : 0);
    const choice = choose(t, this.candidates(t, queueName), others, this.rules());
    if (!choice.chosen) {
      queue.set(t.userId, true);
      for (const tag of t.interests) this.tagQueue(queueName, tag).set(t.userId, true);
      return { kind: 'queued', retryInMs: choice.retryAt === null ? null : Math.max(0, choice.retryAt - this.now()) };
    }
    const partner = choice.chosen.userId;
    const partnerEntry = this.users.get(partner) as UserEntry;
    this.dequeue(partner, partnerEntry);
    this.dequeue(t.userId, this.users.get(t.userId));
    const session: SessionEntry = {
      sessionId: t.sessionId,
      a: partner,
      b: t.userId,
      da: partnerEntry.device,
      db: t.device,
      mode: t.mode,
      common: choice.common,
      startedAt: this.now(),
      ready: new Set(),
      live: false,
    };
    this.sessions.set(session.sessionId, session);
    this.opts.journal.push({
      kind: 'started',
      session: {
        sessionId: session.sessionId,
        userA: partner,
        userB: t.userId,
        mode: t.mode,
        startedAt: session.startedAt,
      },
    });
    partnerEntry.sessionId = session.sessionId;
    (this.users.get(t.userId) as UserEntry).sessionId = session.sessionId;
    this.send(partner, { type: 'queue.matched', session: this.view(session, partner), since: partnerEntry.since });
    return { kind: 'matched', session: this.view(session, t.userId), formed: true };
  }

  async ready(sessionId: string, userId: string): Promise<{ connected: boolean }> {
    const s = this.sessions.get(sessionId);
    if (!s || (s.a !== userId && s.b !== userId)) return { connected: false };
    s.ready.add(userId);
    if (s.ready.size < 2) return { connected: false };
    if (!s.live) {
      s.live = true;
      this.send(s.a === userId ? s.b : s.a, { type: 'session.connected', sessionId });
    }
    return { connected: true };
  }

  async close(sessionId: string, by: Closer, reason: LeaveReason): Promise<ClosedSession | null> {
    const s = this.sessions.get(sessionId);
    if (!s) return null;
    const isMember = (id: string) => s.a === id || s.b === id;
    if (typeof by === 'string') return isMember(by) ? this.closeEntry(s, by, reason) : null;
    if (by.member !== undefined && !isMember(by.member)) return null;
    const closed = this.closeEntry(s, by.member ?? by.system, reason);
    const other = by.member ?? s.a;
    this.send(other, by.member ? { type: 'media.left', sessionId } : { type: 'peer.left', sessionId, reason });
    return closed;
  }

  async leave(userId: string, conn: string, reason: LeaveReason): Promise<ClosedSession | null> {
    const user = this.users.get(userId);
    if (!user || user.conn !== conn) return null;
    this.dequeue(userId, user);
    const s = user.sessionId ? this.sessions.get(user.sessionId) : undefined;
    this.users.delete(userId);
    if (reason === 'disconnect') this.cooldowns.delete(userId);
    return s ? this.closeEntry(s, userId, reason) : null;
  }

  relay(toUserId: string, _toInstance: string, event: PeerEvent): void {
    this.send(toUserId, event);
  }

  /** Local counts: `localOnline` is all there is, on a single instance, and nothing is ever lost behind its back. */
  async beat(localOnline: number): Promise<Beat> {
    let waiting = 0;
    for (const q of this.queues.values()) waiting += q.size;
    return { online: localOnline, waiting, lost: null, dead: [] };
  }

  /** Nothing to sweep: there are no other instances. */
  async sweep(): Promise<ClosedSession[]> {
    return [];
  }

  /** Makes sure the blocks of `device` (kept in PostgreSQL) are here: loaded once per process. */
  async ensureBlocks(device: string, load: (devices: string[]) => Promise<[string, string][]>): Promise<void> {
    if (this.loaded.has(device)) return;
    for (const [a, b] of await load([device])) {
      this.setOf(this.blocks, a).add(b);
      this.setOf(this.blocks, b).add(a);
    }
    this.loaded.add(device);
  }

  private readonly loaded = new Set<string>();

  /** Users currently queued, in every pool. */
  waiting(): number {
    let n = 0;
    for (const q of this.queues.values()) n += q.size;
    return n;
  }

  /** Closes an open session; the partner of `by` (both users, when `by` is not one) hears `peer.left`. */
  private closeEntry(s: SessionEntry, by: string, reason: LeaveReason): ClosedSession {
    this.sessions.delete(s.sessionId);
    const endedAt = this.now();
    for (const id of [s.a, s.b]) {
      const u = this.users.get(id);
      if (u?.sessionId === s.sessionId) u.sessionId = null;
    }
    if (reason !== 'disconnect') {
      this.mark(this.cooldowns, s.da, s.db, endedAt);
      this.mark(this.cooldowns, s.db, s.da, endedAt);
    }
    if (reason === 'report') {
      this.setOf(this.blocks, s.da).add(s.db);
      this.setOf(this.blocks, s.db).add(s.da);
    }
    if ((reason === 'skip' || reason === 'report') && (by === s.a || by === s.b)) {
      const device = by === s.a ? s.da : s.db;
      const wait = this.rates.take(`skip:${device}`, endedAt, this.opts.limits.skip);
      if (wait > 0) this.cooling.set(device, endedAt + wait);
    }
    this.send(by === s.b ? s.a : s.b, { type: 'peer.left', sessionId: s.sessionId, reason });
    const closed: ClosedSession = {
      sessionId: s.sessionId,
      userA: s.a,
      userB: s.b,
      mode: s.mode,
      startedAt: s.startedAt,
      endedAt,
      endedBy: by,
      reason,
    };
    this.opts.journal.push({ kind: 'ended', session: closed });
    return closed;
  }

  /**
   * The longest-waiting users of the mode and, for each of the caller's tags, the longest-waiting
   * users who named it (so users sharing an interest meet however deep they wait), oldest first.
   */
  private candidates(caller: Ticket, queueName: string): Candidate[] {
    const cooldown = this.cooldowns.get(caller.device);
    const blocked = this.blocks.get(caller.device);
    const seen = new Map<string, Candidate>();
    const take = (ids: Iterable<string>) => {
      let n = 0;
      for (const id of ids) {
        if (n++ >= SCAN_LIMIT) return;
        const u = this.users.get(id);
        if (!u || seen.has(id)) continue;
        seen.set(id, {
          userId: id,
          interests: u.interests,
          since: u.since,
          skippedAt: cooldown?.get(u.device) ?? null,
          // Two tabs of one device never meet.
          blocked: u.device === caller.device || (blocked?.has(u.device) ?? false),
        });
      }
    };
    take(this.queueOf(queueName).keys());
    for (const tag of caller.interests) take(this.tagQueue(queueName, tag).keys());
    // Stable: among equal waits, the queue's own order.
    return [...seen.values()].sort((a, b) => a.since - b.since);
  }

  /** Out of its queue and the interest index. */
  private dequeue(userId: string, u: UserEntry | undefined): void {
    if (!u) return;
    this.queues.get(u.queue)?.delete(userId);
    const tags = this.byTag.get(u.queue);
    for (const tag of u.interests) {
      const q = tags?.get(tag);
      q?.delete(userId);
      if (q?.size === 0) tags?.delete(tag);
    }
  }

  private queueOf(name: string): Map<string, true> {
    let q = this.queues.get(name);
    if (!q) {
      q = new Map();
      this.queues.set(name, q);
    }
    return q;
  }

  private tagQueue(queueName: string, tag: string): Map<string, true> {
    let tags = this.byTag.get(queueName);
    if (!tags) {
      tags = new Map();
      this.byTag.set(queueName, tags);
    }
    let q = tags.get(tag);
    if (!q) {
      q = new Map();
      tags.set(tag, q);
    }
    return q;
  }

  private view(s: SessionEntry, me: string): SessionInfo {
    return {
      sessionId: s.sessionId,
      mode: s.mode,
      partnerId: s.a === me ? s.b : s.a,
      partnerDevice: s.a === me ? s.db : s.da,
      partnerInstance: this.opts.instanceId,
      commonInterests: s.common,
      startedAt: s.startedAt,
    };
  }

  private rules() {
    return {
      now: this.now(),
      interestFallbackMs: this.opts.interestFallbackMs,
      rematchCooldownMs: this.opts.rematchCooldownMs,
    };
  }

  private mark(map: Map<string, Map<string, number>>, a: string, b: string, at: number): void {
    let m = map.get(a);
    if (!m) {
      m = new Map();
      map.set(a, m);
    }
    m.delete(b); // re-insert so the oldest marks stay first for pruning
    m.set(b, at);
    for (const [id, t] of m) {
      if (at - t < this.opts.rematchCooldownMs) break;
      m.delete(id);
    }
  }

  private setOf(map: Map<string, Set<string>>, key: string): Set<string> {
    let s = map.get(key);
    if (!s) {
      s = new Set();
      map.set(key, s);
    }
    return s;
  }

  /** Delivery is asynchronous, as it is through Redis pub/sub, so no actor re-enters another. */
  private send(userId: string, event: PeerEvent): void {
    queueMicrotask(() => this.opts.deliver(userId, event));
  }
}
