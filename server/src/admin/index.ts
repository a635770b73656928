/**
 * The admin view assembled: statechart drawn once from the machine, page and script built once,
 * the refresh loop, the trail tap and the routes. When /admin is refused (no token outside dev)
 * nothing runs and nothing is recorded.
 */
import { join } from 'node:path';
import type { Hono } from 'hono';
import type { AnyStateMachine } from 'xstate';
import type { AdminConfig } from '../config.ts';
import type { AdminBoard, ModerationRecords } from '../ports.ts';
import { type AdminAccess, adminAccess } from './auth.ts';
import { layout } from './chart/layout.ts';
import { allNodes, chartOf } from './chart/model.ts';
import { renderSvg } from './chart/svg.ts';
import { AdminHub, type HubDeps } from './hub.ts';
import { adminPage } from './page.ts';
import { mountAdmin } from './routes.ts';
import { PerSecond } from './series.ts';
import { TrailTap } from './trail-tap.ts';
import type { InstanceView, Watched } from './view.ts';

/** Five minutes of pairs per second. */
export const PAIRS_WINDOW_S = 300;

export interface AdminDeps {
  dev: boolean;
  config: AdminConfig;
  instanceId: string;
  machine: AnyStateMachine;
  connections: () => Iterable<Watched>;
  queue: () => number;
  board: AdminBoard<InstanceView>;
  /** Reports and bans, read and changed from /admin. */
  moderation: ModerationRecords;
  /** The Stately inspector, when INSPECT is on: its page, and following a user from /admin. */
  inspector: { pageUrl: string; followUser(userId: string): 'following' | 'unknown user' } | null;
  log: HubDeps['log'];
}

export interface Admin {
  access: AdminAccess;
  /** Pairs formed here, per second (the chart). */
  pairs: PerSecond;
  /** Keeps each user's last events from the gateway's frame taps; null when /admin is refused. */
  trails: TrailTap | null;
  mount(app: Hono): void;
  start(): void;
  stop(): void;
}

/** A browser script of ui/, transpiled from TypeScript once at boot (type imports vanish). */
async function script(name: 'app' | 'moderation'): Promise<string> {
  const source = await Bun.file(join(import.meta.dir, 'ui', `${name}.ts`)).text();
  return new Bun.Transpiler({ loader: 'ts', target: 'browser' }).transformSync(source);
}

export async function createAdmin(d: AdminDeps): Promise<Admin> {
  const access = adminAccess(d.dev, d.config.token);
  const pairs = new PerSecond(PAIRS_WINDOW_S);
  const on = access.mode !== 'disabled';
  const trails = on ? new TrailTap() : null;
  const hub = new AdminHub({
    source: {
      instance: d.instanceId,
      connections: d.connections,
      events: (userId) => trails?.entries(userId) ?? [],
      queue: d.queue,
      pairs,
      now: Date.now,
    },
    board: d.board,
    intervalMs: d.config.intervalMs,
    inspectorPage: d.inspector?.pageUrl ?? null,
    log: d.log,
  });
  const chart = chartOf(d.machine);
  const svg = renderSvg(layout(chart), `Statechart of the ${d.machine.id} machine`);
  const statePaths = allNodes(chart)
    .map((n) => n.path)
    .filter(Boolean);
  const page = adminPage({ instance: d.instanceId, svg, statePaths });
  const js = await script('app');
  const moderationJs = await script('moderation');
  return {
    access,
    pairs,
    trails,
    mount: (app) =>
      mountAdmin(app, {
        access,
        hub,
        page,
        script: js,
        moderationScript: moderationJs,
        svg,
        follow: d.inspector ? (userId) => d.inspector?.followUser(userId) ?? 'unknown user' : null,
        moderation: d.moderation,
      }),
    start: () => {
      if (on) hub.start();
    },
    stop: () => hub.stop(),
  };
}
