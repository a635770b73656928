/**
 * Everything that watches the instance, wired once: Prometheus metrics, the /admin view with its
 * trails, the Stately inspector (INSPECT) and the session event log lines, and the one frame tap
 * through which the gateway feeds them.
 */
import { type Admin, createAdmin } from '../admin/index.ts';
import type { InstanceView } from '../admin/view.ts';
import type { Config } from '../config.ts';
import type { Registry } from '../gateway/registry.ts';
import type { Log } from '../log.ts';
import { sessionEvents } from '../observability/events.ts';
import { type Inspection, inspection } from '../observability/inspector.ts';
import { Metrics } from '../observability/metrics.ts';
import { composeTaps } from '../observability/taps.ts';
import type { AdminBoard, FrameTap, ModerationRecords } from '../ports.ts';
import { sessionMachine } from '../session/machine.ts';

/** What the watchers read from the running instance, at scrape or refresh time (never before it runs). */
export interface Watched {
  /** The registry of this instance's users; created after the watchers, which feed it the tap. */
  registry: () => Registry;
  waiting: () => number;
  pendingRows: () => number;
  journalBacklog: () => Promise<number>;
  /** Reports and bans for /admin. */
  moderation: ModerationRecords;
  board: AdminBoard<InstanceView>;
}

export interface Watch {
  metrics: Metrics;
  admin: Admin;
  inspector: Inspection | null;
  events: ReturnType<typeof sessionEvents>;
  /** The gateway's tap: metrics, the /admin trail and the "user disconnected" log line. */
  tap: FrameTap;
  stop(): void;
}

export async function openWatch(config: Config, log: Log, live: Watched): Promise<Watch> {
  const events = sessionEvents(log);
  const inspector = await inspection(config.inspect, log, (userId) => live.registry().get(userId)?.actor);
  const admin = await createAdmin({
    dev: config.dev,
    config: config.admin,
    instanceId: config.instanceId,
    machine: sessionMachine,
    connections: () => live.registry().all(),
    queue: () => live.waiting(),
    board: live.board,
    moderation: live.moderation,
    inspector,
    log,
  });
  const metrics = new Metrics(
    {
      actorsByState: () => live.registry().countByState(),
      sockets: () => live.registry().sockets(),
      waiting: () => live.waiting(),
      pendingRows: () => live.pendingRows(),
      journalBacklog: () => live.journalBacklog(),
    },
    config.instanceId,
  );
  return {
    metrics,
    admin,
    inspector,
    events,
    tap: composeTaps([metrics, admin.trails ?? {}, events.tap]),
    stop: () => {
      admin.stop();
      inspector?.stop();
      metrics.stop();
    },
  };
}
