/**
 * Composition root: config → adapters → session machine → gateway → Bun.serve.
 * `bun run start` runs this; everything is configured by the environment (see config.ts).
 */
import Redis from 'ioredis';
import { LiveKitMedia } from './adapters/livekit/media.ts';
import { roomService } from './adapters/livekit/rooms.ts';
import { LiveKitWebhook } from './adapters/livekit/webhook.ts';
import { noMedia } from './adapters/media/none.ts';
import { MemoryBoard } from './adapters/memory/board.ts';
import { MemoryMatcher } from './adapters/memory/matcher.ts';
import { type Embedded, startEmbeddedPostgres } from './adapters/pglite/embedded.ts';
import { connect } from './adapters/postgres/db.ts';
import { migrate } from './adapters/postgres/migrate.ts';
import { Recorder } from './adapters/postgres/recorder.ts';
import { RedisBoard } from './adapters/redis/board.ts';
import { listen } from './adapters/redis/bus.ts';
import { RedisMatcher } from './adapters/redis/matcher.ts';
import { createAdmin, PAIRS_WINDOW_S } from './admin/index.ts';
import type { InstanceView } from './admin/view.ts';
import { type Config, ConfigError, loadConfig } from './config.ts';
import { Gateway } from './gateway/gateway.ts';
import { Registry, type SocketData } from './gateway/registry.ts';
import { createApp, type ReadyCheck } from './http/app.ts';
import { Metrics } from './http/metrics.ts';
import { mountWebhook } from './http/webhook.ts';
import { newId } from './identity/ids.ts';
import { ResumeTokens } from './identity/resume.ts';
import { createLog, type Log, prettyDestination } from './log.ts';
import { mediaEvents } from './matching/media-events.ts';
import { recording } from './matching/recording.ts';
import { sessionEvents } from './observability/events.ts';
import { composeInspection } from './observability/hooks.ts';
import { type StatelyInspector, startInspector } from './observability/inspector.ts';
import type { AdminBoard, ClosedSession, Counts, Matcher, Media, Presence, Relay } from './ports.ts';
import { bindSessionMachine, pendingEffects } from './session/effects.ts';
import { sessionMachine } from './session/machine.ts';

interface Store {
  matcher: Matcher & Relay & Presence;
  checks: ReadyCheck[];
  /** Users waiting right now, when the store can tell cheaply (in-memory); else null. */
  waitingNow: (() => number) | null;
  /** Where /admin views are shared between instances. */
  board: AdminBoard<InstanceView>;
  stop(): Promise<void>;
}

async function openStore(config: Config, registry: Registry, log: Log): Promise<Store> {
  // A view more than three refreshes old belongs to an instance that stopped.
  const boardTtlMs = Math.max(3000, 3 * config.admin.intervalMs);
  const base = {
    instanceId: config.instanceId,
    deliver: registry.deliver,
    interestFallbackMs: config.timers.interestFallbackMs,
    rematchCooldownMs: config.timers.rematchCooldownMs,
  };
  if (!config.redisUrl) {
    const matcher = new MemoryMatcher(base);
    log.info('REDIS_URL is not set: in-process matcher (single instance only)');
    return {
      matcher,
      checks: [],
      waitingNow: () => matcher.queueLength('video') + matcher.queueLength('text'),
      board: new MemoryBoard(boardTtlMs),
      stop: async () => {},
    };
  }
  const redis = new Redis(config.redisUrl, {
    maxRetriesPerRequest: 3,
    connectTimeout: 5000,
    lazyConnect: true,
    // Commands issued in the same tick share one write: fewer syscalls per pair.
    enableAutoPipelining: true,
  });
  const sub = new Redis(config.redisUrl, { connectTimeout: 5000, lazyConnect: true });
  try {
    await redis.connect();
    await sub.connect();
  } catch (error) {
    throw new ConfigError(`REDIS_URL: cannot connect to Redis (${(error as Error).message})`);
  }
  redis.on('error', (err) => log.warn({ err: err.message }, 'redis connection error'));
  sub.on('error', (err) => log.warn({ err: err.message }, 'redis subscriber error'));
  const matcher = new RedisMatcher({ ...base, redis, prefix: config.redisPrefix, instanceTtlMs: config.instanceTtlMs });
  const recheck = () => {
    log.warn('redis subscription restored: waiting users claim again');
    for (const c of registry.all()) c.actor.send({ type: 'queue.recheck' });
  };
  await listen(sub, matcher.channel, registry.deliver, recheck);
  return {
    matcher,
    checks: [{ name: 'redis', check: () => redis.ping() }],
    waitingNow: null,
    board: new RedisBoard(redis, matcher.prefix, boardTtlMs),
    stop: async () => {
      sub.disconnect();
      await redis.quit().catch(() => redis.disconnect());
    },
  };
}

async function openDatabase(config: Config, log: Log) {
  let embedded: Embedded | null = null;
  let url = config.databaseUrl;
  if (!url) {
    embedded = await startEmbeddedPostgres(config.dataDir);
    url = embedded.url;
    log.info({ dataDir: config.dataDir }, 'DATABASE_URL is not set: embedded PostgreSQL (PGlite)');
  }
  const sql = connect(url, { max: embedded ? 1 : 10 });
  try {
    const applied = await migrate(sql);
    if (applied.length > 0) log.info({ applied }, 'migrations applied');
  } catch (error) {
    throw new ConfigError(`DATABASE_URL: cannot prepare the database (${(error as Error).message})`);
  }
  return { sql, embedded };
}

async function main(config: Config): Promise<void> {
  const log = createLog(config, config.dev ? await prettyDestination() : undefined);
  let metrics: Metrics | null = null;
  const registry = new Registry(() => metrics);
  const store = await openStore(config, registry, log);
  const { sql, embedded } = await openDatabase(config, log);
  const recorder = new Recorder(sql, {
    onError: (err) => {
      metrics?.logWriteErrors.inc();
      log.error({ err: (err as Error).message, pending: recorder.pending() }, 'session log write failed; will retry');
    },
  });
  if (!config.redisUrl) {
    const n = await recorder.closeOrphans();
    if (n > 0) log.warn({ sessions: n }, 'closed sessions a previous run left open');
  }
  await recorder.start();

  let counts: Counts & { localAtBeat: number } = { online: 0, waiting: 0, localAtBeat: 0 };
  const liveCounts = (): Counts => ({
    online: Math.max(registry.size, counts.online - counts.localAtBeat + registry.size),
    waiting: store.waitingNow ? store.waitingNow() : counts.waiting,
  });
  metrics = new Metrics(
    {
      actorsByState: () => registry.countByState(),
      sockets: () => registry.sockets(),
      waiting: () => liveCounts().waiting,
      pendingRows: () => recorder.pending(),
    },
    config.instanceId,
  );
  const m = metrics;
  const events = sessionEvents(log);
  const inspector: StatelyInspector | null = config.inspect ? await startInspector(config.inspect) : null;
  const admin = await createAdmin({
    dev: config.dev,
    config: config.admin,
    instanceId: config.instanceId,
    machine: sessionMachine,
    connections: () => registry.all(),
    lookup: (userId) => registry.get(userId),
    queue: () => liveCounts().waiting,
    board: store.board,
    inspectorPage: inspector?.pageUrl ?? null,
    follow: inspector
      ? (userId) => {
          const c = registry.get(userId);
          if (!c) return 'unknown user';
          inspector.follow(c.actor);
          return 'following';
        }
      : null,
    log,
  });
  const livekit = config.livekit
    ? new LiveKitMedia({ config: config.livekit, rooms: roomService(config.livekit), log })
    : null;
  await livekit?.start();
  const media: Media = livekit ?? noMedia;
  const matcher = recording(store.matcher, {
    log: recorder,
    media,
    onPair: (started) => {
      m.pairs.inc();
      admin.pairs.add();
      events.started(started);
    },
    onClose: (c: ClosedSession) => {
      m.sessionsClosed.inc({ reason: c.reason });
      events.closed(c);
    },
  });
  if (store.matcher instanceof RedisMatcher) {
    for (const c of await store.matcher.sweepOwn()) matcher.closed(c);
  }

  const machine = bindSessionMachine({
    matcher,
    relay: store.matcher,
    media,
    moderation: recorder,
    timers: config.timers,
    out: admin.outbox(events.outbox(registry)),
    newSessionId: () => newId('s'),
    lastFrameAt: registry.lastFrameAt,
    now: Date.now,
    onMatch: (ms) => m.timeToMatch.observe(ms / 1000),
    onError: (what, err) => log.warn({ what, err: (err as Error)?.message }, 'background effect failed'),
  });
  const gateway = new Gateway({
    machine,
    registry,
    tokens: new ResumeTokens(config.resumeSecret, config.resumeTokenTtlMs),
    limits: config.limits,
    metrics: m,
    video: () => media.available(),
    counts: liveCounts,
    now: Date.now,
    log,
    watch: admin.trails ?? undefined,
    // Only INSPECT inspects actors: an inspection observer costs each actor memory and every event work.
    inspect:
      composeInspection(inspector ? [(e) => inspector.observe(e)] : [], (err) =>
        log.error({ err: (err as Error)?.message }, 'inspection observer failed'),
      ) ?? undefined,
  });
  let draining = false;
  const checks: ReadyCheck[] = [...store.checks, { name: 'postgres', check: () => sql`SELECT 1` }];
  if (livekit) checks.push({ name: 'livekit', check: () => livekit.check() });
  const app = createApp({
    metrics: m,
    checks,
    clientDir: config.clientDir,
    draining: () => draining,
    log,
    mount: admin.mount,
  });
  mountWebhook(app, {
    verifier: config.livekit ? new LiveKitWebhook(config.livekit) : null,
    handle: mediaEvents(matcher),
    log,
  });
  const allowed = config.allowedOrigins;

  const server = Bun.serve<SocketData>({
    port: config.port,
    hostname: config.host,
    fetch(req, srv) {
      const url = new URL(req.url);
      if (url.pathname !== '/ws') return app.fetch(req);
      const origin = req.headers.get('origin');
      if (allowed && origin && !allowed.includes(origin)) return new Response('origin not allowed', { status: 403 });
      if (draining) return new Response('server is shutting down', { status: 503 });
      if (srv.upgrade(req, { data: { rec: null, resume: url.searchParams.get('resume') } })) return undefined;
      return new Response('expected a WebSocket upgrade', { status: 426 });
    },
    websocket: gateway.handlers(),
  });

  const beat = async () => {
    try {
      const local = registry.size;
      counts = { ...(await store.matcher.beat(local)), localAtBeat: local };
      for (const c of await store.matcher.sweep()) matcher.closed(c);
    } catch (error) {
      log.warn({ err: (error as Error).message }, 'presence beat failed');
    }
  };
  await beat();
  // Beat well within the liveness TTL, so one late beat never makes an instance look dead.
  const beatTimer = setInterval(beat, Math.min(2000, config.instanceTtlMs / 3));
  const statsTimer = setInterval(() => gateway.publishStats(server), config.timers.statsIntervalMs);
  const heartbeatMs = config.timers.heartbeatTimeoutMs;
  const heartbeatTimer = setInterval(
    () => gateway.checkHeartbeats(Date.now(), heartbeatMs),
    Math.max(50, Math.min(1000, heartbeatMs / 4)),
  );
  admin.start();
  log.info({ port: server.port, redis: Boolean(config.redisUrl), embeddedDb: Boolean(embedded) }, 'serendip is up');
  log.info(
    { admin: admin.access.mode, pairsWindowS: PAIRS_WINDOW_S },
    `admin view: http://localhost:${server.port}/admin`,
  );
  if (inspector) {
    log.warn(
      { relayHere: inspector.relayHere, filter: config.inspect?.filter.kind },
      `INSPECT is on (development only): open ${inspector.pageUrl} to watch actors in the Stately inspector`,
    );
  }

  const shutdown = async (signal: string) => {
    if (draining) return;
    draining = true;
    log.info({ signal }, 'draining');
    clearInterval(beatTimer);
    clearInterval(statsTimer);
    clearInterval(heartbeatTimer);
    admin.stop();
    livekit?.stop();
    gateway.shutdown();
    const deadline = new Promise((r) => setTimeout(r, 5000));
    await Promise.race([Promise.allSettled([...pendingEffects]), deadline]);
    await recorder.stop().catch((err) => log.error({ err: err.message }, 'final session log flush failed'));
    server.stop(true);
    await store.stop();
    await sql.end({ timeout: 2 });
    await embedded?.stop();
    inspector?.stop();
    m.stop();
    log.info('stopped');
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('unhandledRejection', (err) => log.error({ err: (err as Error)?.message }, 'unhandled rejection'));
}

try {
  await main(loadConfig(process.env));
} catch (error) {
  if (error instanceof ConfigError) {
    console.error(error.message);
    process.exit(1);
  }
  throw error;
}
