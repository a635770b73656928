/**
 * The journal in Redis: one stream, `{prefix}journal`, read by every instance through one consumer
 * group. The scripts add session starts and ends in the same step as the change; reports are added
 * here. Each instance reads as its own consumer; what a dead instance read and never acknowledged
 * is taken over by the others after `takeOverAfterMs` (XAUTOCLAIM), or at once by the instance
 * that finds it dead (`adopt`), and what this instance read before a restart under the same id is
 * read again first. Acknowledged entries are deleted, so the stream holds only what has not
 * reached PostgreSQL yet.
 */
import type Redis from 'ioredis';
import type { Journal, JournalEntry, JournalRecord } from '../../ports.ts';
import type { LeaveReason, Mode } from '../../protocol.ts';

const GROUP = 'recorders';
/** How many of a dead reader's entries `adopt` claims per round trip. */
const ADOPT_BATCH = 500;

/** The short JSON the scripts write (see lib.lua): s = started, e = ended, r = reported, u = seen. */
type Wire =
  | { k: 's'; sid: string; a: string; b: string; m: Mode; t: number }
  | { k: 'e'; sid: string; a: string; b: string; m: Mode; st: number; en: number; by: string; r: LeaveReason }
  | { k: 'r'; sid: string; rep: string; rpd: string; rd?: string; pd?: string; why: string; t: number }
  | { k: 'u'; sid?: undefined; uid: string; dev: string; iph: string; t: number };

function toWire(e: JournalEntry): Wire {
  switch (e.kind) {
    case 'started': {
      const s = e.session;
      return { k: 's', sid: s.sessionId, a: s.userA, b: s.userB, m: s.mode, t: s.startedAt };
    }
    case 'ended': {
      const s = e.session;
      const head = { sid: s.sessionId, a: s.userA, b: s.userB, m: s.mode };
      return { k: 'e', ...head, st: s.startedAt, en: s.endedAt, by: s.endedBy, r: s.reason };
    }
    case 'reported': {
      const r = e.report;
      const who = { rep: r.reporter, rpd: r.reported, rd: r.reporterDevice, pd: r.reportedDevice };
      return { k: 'r', sid: r.sessionId, ...who, why: r.reason, t: r.at };
    }
    case 'seen':
      return { k: 'u', uid: e.seen.userId, dev: e.seen.device, iph: e.seen.ipHash, t: e.seen.at };
  }
}

export function encodeEntry(e: JournalEntry): string {
  return JSON.stringify(toWire(e));
}

/** Decodes one entry; null for anything malformed (it is acknowledged and dropped, never retried). */
export function decodeEntry(raw: string): JournalEntry | null {
  let w: Wire;
  try {
    w = JSON.parse(raw) as Wire;
  } catch {
    return null;
  }
  if (typeof w?.sid !== 'string' && w?.k !== 'u') return null;
  switch (w.k) {
    case 's':
      return { kind: 'started', session: { sessionId: w.sid, userA: w.a, userB: w.b, mode: w.m, startedAt: w.t } };
    case 'e':
      return {
        kind: 'ended',
        session: {
          sessionId: w.sid,
          userA: w.a,
          userB: w.b,
          mode: w.m,
          startedAt: w.st,
          endedAt: w.en,
          endedBy: w.by,
          reason: w.r,
        },
      };
    case 'r': {
      const devices = { reporterDevice: w.rd ?? w.rep, reportedDevice: w.pd ?? w.rpd };
      return {
        kind: 'reported',
        report: { sessionId: w.sid, reporter: w.rep, reported: w.rpd, ...devices, reason: w.why, at: w.t },
      };
    }
    case 'u':
      return typeof w.uid === 'string'
        ? { kind: 'seen', seen: { userId: w.uid, device: w.dev, ipHash: w.iph, at: w.t } }
        : null;
    default:
      return null;
  }
}

type StreamEntries = [id: string, fields: string[]][];

export interface RedisJournalOptions {
  redis: Redis;
  /** The matcher's key prefix, hash tag included ("{mm}:"). */
  prefix: string;
  /** This instance's consumer name. */
  consumer: string;
  /** Entries another reader has held unacknowledged this long are taken over. */
  takeOverAfterMs?: number;
  now?: () => number;
}

export class RedisJournal implements Journal {
  readonly key: string;
  /** Read this consumer's own unacknowledged entries first (left by an earlier run under this id). */
  private ownFirst = true;
  private nextTakeOver = 0;
  /** Entries taken from dead readers (`adopt`), handed out by the next reads before anything else. */
  private adopted: JournalRecord[] = [];
  private readonly now: () => number;

  constructor(private readonly o: RedisJournalOptions) {
    this.key = `${o.prefix}journal`;
    this.now = o.now ?? Date.now;
  }

  async append(entry: JournalEntry): Promise<void> {
    await this.o.redis.xadd(this.key, '*', 'e', encodeEntry(entry));
  }

  async read(max: number): Promise<JournalRecord[]> {
    if (this.adopted.length > 0) return this.adopted.splice(0, max);
    return this.withGroup(async () => {
      if (this.ownFirst) {
        const own = await this.readGroup(max, '0');
        if (own.length > 0) return own;
        this.ownFirst = false;
      }
      if (this.now() >= this.nextTakeOver) {
        const stale = this.o.takeOverAfterMs ?? 10_000;
        this.nextTakeOver = this.now() + Math.min(stale, 5000);
        const [, taken] = (await this.o.redis.xautoclaim(
          this.key,
          GROUP,
          this.o.consumer,
          stale,
          '0-0',
          'COUNT',
          max,
        )) as [string, StreamEntries];
        if (taken.length > 0) return records(taken);
      }
      return this.readGroup(max, '>');
    });
  }

  /**
   * Takes over at once what the readers `consumers` (instances found dead) read and never
   * acknowledged, instead of waiting for it to go stale: a fleet that drains soon after one of its
   * instances died would otherwise stop with those entries still in Redis, not in PostgreSQL.
   * Resolves with how many entries it took.
   */
  async adopt(consumers: string[]): Promise<number> {
    let taken = 0;
    for (const consumer of consumers) {
      if (consumer === this.o.consumer) continue;
      // Bounded: each round moves what it lists out of the dead reader's list.
      for (let round = 0; round < 1000; round++) {
        const pending = (await this.withGroup(() =>
          this.o.redis.xpending(this.key, GROUP, '-', '+', ADOPT_BATCH, consumer),
        )) as [id: string, consumer: string, idleMs: number, deliveries: number][];
        if (pending.length === 0) break;
        const ids = pending.map(([id]) => id);
        const entries = (await this.o.redis.xclaim(this.key, GROUP, this.o.consumer, 0, ...ids)) as StreamEntries;
        this.adopted.push(...records(entries.filter((e) => e !== null)));
        taken += entries.length;
        // Entries deleted meanwhile are dropped from the list by XCLAIM, never returned: stop when none are left.
        if (pending.length < ADOPT_BATCH) break;
      }
    }
    return taken;
  }

  async ack(ids: string[]): Promise<void> {
    if (ids.length === 0) return;
    // Deleted as well: the stream keeps only what has not reached PostgreSQL.
    await this.withGroup(() =>
      this.o.redis
        .multi()
        .xack(this.key, GROUP, ...ids)
        .xdel(this.key, ...ids)
        .exec(),
    );
  }

  /** Entries waiting, in Redis, for any recorder (what has not reached PostgreSQL). */
  async backlog(): Promise<number> {
    return this.o.redis.xlen(this.key);
  }

  private async readGroup(max: number, from: '0' | '>'): Promise<JournalRecord[]> {
    const reply = (await this.o.redis.xreadgroup(
      'GROUP',
      GROUP,
      this.o.consumer,
      'COUNT',
      max,
      'STREAMS',
      this.key,
      from,
    )) as [string, StreamEntries][] | null;
    return records(reply?.[0]?.[1] ?? []);
  }

  /** Runs `op`; if Redis lost the stream or the group (a restart, a flush), makes them again and retries once. */
  private async withGroup<T>(op: () => Promise<T>): Promise<T> {
    try {
      return await op();
    } catch (error) {
      if (!String((error as Error).message).includes('NOGROUP')) throw error;
      await this.ensureGroup();
      return op();
    }
  }

  /** Creates the stream and the group (from the start of the stream) unless they exist. */
  async ensureGroup(): Promise<void> {
    try {
      await this.o.redis.xgroup('CREATE', this.key, GROUP, '0', 'MKSTREAM');
    } catch (error) {
      if (!String((error as Error).message).includes('BUSYGROUP')) throw error;
    }
  }
}

function records(entries: StreamEntries): JournalRecord[] {
  // An entry deleted after it was delivered comes back with no fields: null, acknowledged and dropped.
  return entries.map(([id, fields]) => ({ id, entry: fields?.[1] === undefined ? null : decodeEntry(fields[1]) }));
}
