/**
 * Composition root: config → stores → session machine → gateway → Bun.serve, then the drain.
 * `bun run start` runs this; everything is configured by the environment (see config.ts).
 */
import { openDatabase } from './boot/database.ts';
import { openMedia } from './boot/media.ts';
import { reconcile } from './boot/reconcile.ts';
import { openSafety } from './boot/safety.ts';
import { serve } from './boot/serve.ts';
import { atMost, onShutdown } from './boot/shutdown.ts';
import { openStore } from './boot/store.ts';
import { openWatch } from './boot/watch.ts';
import { type Config, ConfigError, loadConfig } from './config.ts';
import { Gateway } from './gateway/gateway.ts';
import { Registry } from './gateway/registry.ts';
import { createApp } from './http/app.ts';
import { mountEntry } from './http/entry.ts';
import { mountWebhook } from './http/webhook.ts';
import { newId } from './identity/ids.ts';
import { ResumeTokens } from './identity/resume.ts';
import { createLog, prettyDestination } from './log.ts';
import { mediaEvents } from './matching/media-events.ts';
import { withSessionHooks } from './matching/session-hooks.ts';
import { bindSessionMachine, pendingEffects } from './session/effects.ts';

async function main(config: Config): Promise<void> {
  const log = createLog(config, config.dev ? await prettyDestination() : undefined);
  // The stores and watchers reach the registry (created below) only through closures, once it exists.
  const store = await openStore(config, {
    deliver: (userId, event) => registry.deliver(userId, event),
    isLocal: (userId) => registry.get(userId) !== undefined,
    resync,
    log,
  });
  const db = await openDatabase(config, log, store.journal, {
    onWriteError: () => watch.metrics.logWriteErrors.inc(),
    onRejected: (records) => watch.metrics.logRejected.inc(records.length),
  });
  const media = await openMedia(config, log);
  const counts = () => store.counts(registry.size);
  const watch = await openWatch(config, log, {
    registry: () => registry,
    waiting: () => counts().waiting,
    pendingRows: () => db.pump.pending(),
    journalBacklog: () => store.journal.backlog(),
    moderation: db.records,
    board: store.board,
  });
  const { metrics, admin, events, tap } = watch;
  // A ban made just now (by /admin, or by reports) sends away the users of that device or address already here.
  db.bans.onBanned = ({ devices, ipHashes }) => {
    for (const c of registry.all()) {
      const { device, ipHash } = c.actor.getSnapshot().context as { device: string; ipHash: string };
      if (devices.includes(device) || ipHashes.includes(ipHash)) c.actor.send({ type: 'moderation.banned' });
    }
  };
  const safety = openSafety(config, db.secrets.identity, store.admission);
  const registry = new Registry(tap);
  function resync() {
    for (const c of registry.all()) c.actor.send({ type: 'queue.recheck' });
  }
  const matcher = withSessionHooks(store.matcher, {
    media: media.media,
    onPair: (started) => [metrics.pairs.inc(), admin.pairs.add(), events.started(started)],
    onClose: (closed) => [metrics.sessionsClosed.inc({ reason: closed.reason }), events.closed(closed)],
  });
  const gateway = new Gateway({
    machine: bindSessionMachine({
      matcher,
      relay: store.matcher,
      media: media.media,
      moderation: db.moderation,
      timers: config.timers,
      out: registry,
      newSessionId: () => newId('s'),
      lastFrameAt: registry.lastFrameAt,
      now: Date.now,
      onMatch: (ms) => metrics.timeToMatch.observe(ms / 1000),
      onError: (what, err) => log.warn({ what, err: (err as Error)?.message }, 'background effect failed'),
    }),
    registry,
    tokens: new ResumeTokens(db.secrets.resume, config.resumeTokenTtlMs),
    handover: store.handover,
    identities: safety.identities,
    passes: safety.passes,
    admission: store.admission,
    moderation: db.moderation,
    seen: (seen) => db.pump.append({ kind: 'seen', seen }),
    prepare: (device) => store.ensureBlocks(device, db.blocksOf),
    tap,
    config,
    video: () => media.media.available(),
    counts,
    log,
    inspect: watch.inspector?.observe,
  });
  const app = createApp({
    metrics,
    checks: [...store.checks, db.check, ...media.checks],
    clientDir: config.clientDir,
    draining: () => gateway.draining,
    log,
    mount: (routes) => {
      admin.mount(routes);
      mountEntry(routes, {
        ...safety,
        admission: store.admission,
        moderation: db.moderation,
        safeMode: config.safety.safeMode,
      });
    },
  });
  mountWebhook(app, { verifier: media.verifier, handle: mediaEvents(matcher), log });
  const server = serve(config, gateway, app);
  const lost = (kind: 'swept' | 'reset') =>
    reconcile(kind, {
      users: () => registry.all(),
      matcher,
      record: (entry) => db.pump.append(entry),
      deliver: registry.deliver,
      restoreBlocks: async (devices) => store.restoreBlocks(await db.blocksOf(devices)),
      now: Date.now,
    }).then(
      (told) => log.warn({ kind, ...told }, "the store lost this instance's users: they were told, and queue again"),
      (err) => log.error({ kind, err: (err as Error).message }, 'reconciling with the store failed'),
    );
  await store.start(() => registry.size, matcher.closed, lost);
  gateway.start(server);
  admin.start();
  log.info({ port: server.port, redis: Boolean(config.redisUrl), embeddedDb: !config.databaseUrl }, 'serendip is up');
  log.info({ admin: admin.access.mode }, `admin view: http://localhost:${server.port}/admin`);
  onShutdown(
    [
      { name: 'stop the media probe', run: () => media.stop() },
      { name: 'refuse new sockets, close every session (partners re-queued)', run: () => gateway.shutdown() },
      { name: 'wait for their store calls (5 s at most)', run: () => atMost(5000, Promise.allSettled(pendingEffects)) },
      { name: 'write the rest of the journal, close PostgreSQL', run: () => db.stop() },
      { name: 'stop the HTTP server', run: () => server.stop(true) },
      { name: 'close Redis', run: () => store.stop() },
      { name: 'stop /admin, the inspector and the metrics sampler', run: () => watch.stop() },
    ],
    log,
  );
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
