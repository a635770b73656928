/**
 * The shared store the matcher runs on: Redis when REDIS_URL is set (any number of instances),
 * else the in-process matcher (one instance). Either way the same `Store`: the matcher, its
 * readiness checks, the /admin board, the live counts and the presence loop (beat and sweep).
 */
// Before ioredis, which reads Bun's tracing channels when it loads (see the module).
import '../adapters/redis/bun-tracing.ts';
import Redis from 'ioredis';
import { MemoryAdmission } from '../adapters/memory/admission.ts';
import { MemoryBoard } from '../adapters/memory/board.ts';
import { MemoryJournal } from '../adapters/memory/journal.ts';
import { MemoryMatcher } from '../adapters/memory/matcher.ts';
import { RedisAdmission } from '../adapters/redis/admission.ts';
import { RedisBoard } from '../adapters/redis/board.ts';
import { listen } from '../adapters/redis/bus.ts';
import { RedisJournal } from '../adapters/redis/journal.ts';
import { RedisMatcher } from '../adapters/redis/matcher.ts';
import type { InstanceView } from '../admin/view.ts';
import { type Config, ConfigError, type Rate } from '../config.ts';
import type { ReadyCheck } from '../http/app.ts';
import type { Log } from '../log.ts';
import type {
  AdminBoard,
  Admission,
  Beat,
  ClosedSession,
  Counts,
  Deliver,
  Handover,
  Journal,
  Matcher,
  Presence,
  Relay,
} from '../ports.ts';

type LostKind = NonNullable<Beat['lost']>;

export interface Store {
  matcher: Matcher & Relay & Presence;
  /** What must reach PostgreSQL, written by the matcher in the same step as each change. */
  journal: Journal;
  /** Resume across instances; null for the in-process matcher (one instance: nothing to take over). */
  handover: Handover | null;
  /** Connection limits per address, across all instances. */
  admission: Admission;
  checks: ReadyCheck[];
  /** Where /admin views are shared between instances. */
  board: AdminBoard<InstanceView>;
  /** Users online and waiting across all instances, with this instance's own count live. */
  counts(localOnline: number): Counts;
  /**
   * Clears what an earlier run of this instance id left, then beats and sweeps dead instances
   * until `stop()`; every session a sweep closes goes to `closed`; a beat that finds this
   * instance's users lost (swept while it was away, or Redis reset) calls `lost`.
   */
  start(localOnline: () => number, closed: (c: ClosedSession) => void, lost: (kind: LostKind) => void): Promise<void>;
  /** Puts blocks back into the store after a reset (a no-op for the in-process matcher, which never loses them). */
  restoreBlocks(pairs: [string, string][]): Promise<void>;
  /** Makes sure the store has this device's blocks (`load` reads them from PostgreSQL) before it may meet anyone. */
  ensureBlocks(device: string, load: (devices: string[]) => Promise<[string, string][]>): Promise<void>;
  stop(): Promise<void>;
}

/** What the store needs from the instance: where peer events go, and who to tell after a resync. */
export interface StoreDeps {
  deliver: Deliver;
  /** Whether the user is connected to (held by) this instance. */
  isLocal: (userId: string) => boolean;
  /** The bus came back after a gap (messages may be lost): waiting users should claim again. */
  resync: () => void;
  log: Log;
}

const admissionLimits = (config: Config) => ({
  open: config.safety.connectionsPerAddress,
  beforeChallenge: config.safety.connectsBeforeChallenge,
  hard: config.safety.connects,
});

export async function openStore(config: Config, d: StoreDeps): Promise<Store> {
  // A view more than three refreshes old belongs to an instance that stopped.
  const boardTtlMs = Math.max(3000, 3 * config.admin.intervalMs);
  const base = {
    instanceId: config.instanceId,
    deliver: d.deliver,
    interestFallbackMs: config.timers.interestFallbackMs,
    rematchCooldownMs: config.timers.rematchCooldownMs,
    limits: { enqueue: config.safety.enqueues, skip: config.safety.skips },
  };
  if (!config.redisUrl) {
    const journal = new MemoryJournal();
    const matcher = new MemoryMatcher({ ...base, journal });
    d.log.info('REDIS_URL is not set: in-process matcher (single instance only)');
    return {
      matcher,
      journal,
      handover: null,
      admission: new MemoryAdmission(admissionLimits(config)),
      checks: [],
      board: new MemoryBoard(boardTtlMs),
      counts: (local) => ({ online: local, waiting: matcher.waiting() }),
      start: async () => {},
      restoreBlocks: async () => {},
      ensureBlocks: (device, load) => matcher.ensureBlocks(device, load),
      stop: async () => {},
    };
  }
  return openRedis(config, config.redisUrl, { ...base, boardTtlMs }, d);
}

async function openRedis(
  config: Config,
  url: string,
  base: {
    instanceId: string;
    deliver: Deliver;
    interestFallbackMs: number;
    rematchCooldownMs: number;
    limits: { enqueue: Rate; skip: Rate };
    boardTtlMs: number;
  },
  d: StoreDeps,
): Promise<Store> {
  const redis = new Redis(url, {
    maxRetriesPerRequest: 3,
    connectTimeout: 5000,
    lazyConnect: true,
    // Commands issued in the same tick share one write: fewer syscalls per pair.
    enableAutoPipelining: true,
  });
  const sub = new Redis(url, { connectTimeout: 5000, lazyConnect: true });
  try {
    await redis.connect();
    await sub.connect();
  } catch (error) {
    throw new ConfigError(`REDIS_URL: cannot connect to Redis (${(error as Error).message})`);
  }
  redis.on('error', (err) => d.log.warn({ err: err.message }, 'redis connection error'));
  sub.on('error', (err) => d.log.warn({ err: err.message }, 'redis subscriber error'));
  const matcher = new RedisMatcher({ ...base, redis, prefix: config.redisPrefix, instanceTtlMs: config.instanceTtlMs });
  const onBus: Deliver = (to, event) => {
    // A user that resumed elsewhere: its chat still in flight here is sent on (see forwardTo).
    if (event.type === 'session.handedOver') matcher.forwardTo(to, event.instance);
    if (!d.isLocal(to) && matcher.forward(to, event)) return;
    d.deliver(to, event);
  };
  await listen(sub, matcher.channel, onBus, () => {
    d.log.warn('redis subscription restored: waiting users claim again');
    d.resync();
  });
  const journal = new RedisJournal({ redis, prefix: matcher.prefix, consumer: config.instanceId });
  await journal.ensureGroup();
  const presence = new PresenceLoop(matcher, d.log, Math.min(2000, config.instanceTtlMs / 3), async (dead) => {
    const taken = await journal.adopt(dead);
    if (taken > 0) d.log.info({ instances: dead, entries: taken }, 'journal entries of dead instances taken over');
  });
  return {
    matcher,
    journal,
    handover: matcher,
    admission: new RedisAdmission(redis, matcher.prefix, config.instanceId, admissionLimits(config)),
    checks: [{ name: 'redis', check: () => redis.ping() }],
    board: new RedisBoard(redis, matcher.prefix, base.boardTtlMs),
    counts: (local) => presence.counts(local),
    start: async (localOnline, closed, lost) => {
      for (const c of await matcher.sweepOwn()) closed(c);
      await presence.start(localOnline, closed, lost);
    },
    restoreBlocks: (pairs) => matcher.restoreBlocks(pairs),
    ensureBlocks: (device, load) => matcher.ensureBlocks(device, load),
    stop: async () => {
      presence.stop();
      sub.disconnect();
      await redis.quit().catch(() => redis.disconnect());
    },
  };
}

/**
 * This instance's beat (its liveness and user count, the totals back) and the sweep of instances
 * that stopped beating, whose unacknowledged journal entries it then takes over (`onDead`). It
 * beats well within the liveness TTL, so one late beat never makes an instance look dead.
 */
class PresenceLoop {
  private last: Counts & { localAtBeat: number } = { online: 0, waiting: 0, localAtBeat: 0 };
  private timer: ReturnType<typeof setInterval> | null = null;

  constructor(
    private readonly presence: Presence,
    private readonly log: Log,
    private readonly everyMs: number,
    private readonly onDead: (instances: string[]) => Promise<void>,
  ) {}

  /** The totals of the last beat, with this instance's own count brought up to date. */
  counts(local: number): Counts {
    const { online, waiting, localAtBeat } = this.last;
    return { online: Math.max(local, online - localAtBeat + local), waiting };
  }

  async start(
    localOnline: () => number,
    closed: (c: ClosedSession) => void,
    lost: (kind: LostKind) => void,
  ): Promise<void> {
    const beat = async () => {
      try {
        const local = localOnline();
        const b = await this.presence.beat(local);
        this.last = { online: b.online, waiting: b.waiting, localAtBeat: local };
        if (b.lost) lost(b.lost);
        for (const c of await this.presence.sweep()) closed(c);
        if (b.dead.length > 0) await this.onDead(b.dead);
      } catch (error) {
        this.log.warn({ err: (error as Error).message }, 'presence beat failed');
      }
    };
    await beat();
    this.timer = setInterval(beat, this.everyMs);
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }
}
