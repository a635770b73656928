/**
 * The /admin refresh loop. Every interval: this instance's view is computed from its actors and
 * published to the board (so the other instances' admins see it); when someone is watching, every
 * instance's view is read back and each watcher is sent the totals, the instances and the users
 * matching its own search. One tick at a time; a slow or failing store is logged and skipped, and
 * the local view is still pushed, so /admin degrades instead of failing.
 */
import type { AdminBoard } from '../ports.ts';
import { aggregate, type Totals, withLocal } from './aggregate.ts';
import type { Series } from './series.ts';
import { findUsers, type InstanceView, type LocalSource, localView, StateCounter, type UserRow } from './view.ts';

export const USER_LIMIT = 100;
/** More watchers than this would make one admin page a way to load the server. */
export const MAX_WATCHERS = 32;

export interface HubDeps {
  source: LocalSource;
  board: AdminBoard<InstanceView>;
  intervalMs: number;
  /** The relay page of the Stately inspector, when INSPECT is on. */
  inspectorPage: string | null;
  log: { warn(obj: object, msg: string): void; info(obj: object, msg: string): void };
}

export interface Payload {
  self: string;
  at: number;
  intervalMs: number;
  total: Totals;
  instances: (Omit<InstanceView, 'pairs'> & { pairsPerSecond: number })[];
  users: { matched: number; limit: number; rows: UserRow[] };
  inspector: { pageUrl: string } | null;
}

interface Watcher {
  query: string;
  send(payload: string): void;
}

/** Pairs per second over the last ten whole seconds. */
const recentRate = (pairs: Series) => pairs.perSecond.slice(-10).reduce((a, b) => a + b, 0) / 10;

export class AdminHub {
  private readonly watchers = new Set<Watcher>();
  private readonly counter = new StateCounter();
  private timer: ReturnType<typeof setInterval> | null = null;
  private busy = false;
  private boardDown = false;

  constructor(private readonly d: HubDeps) {}

  start(): void {
    this.timer ??= setInterval(() => void this.tick(), this.d.intervalMs);
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.watchers.clear();
  }

  get watching(): number {
    return this.watchers.size;
  }

  /** Adds a watcher (null when there are too many); the returned function removes it. */
  watch(query: string, send: (payload: string) => void): (() => void) | null {
    if (this.watchers.size >= MAX_WATCHERS) return null;
    const w = { query, send };
    this.watchers.add(w);
    return () => this.watchers.delete(w);
  }

  /** A fresh payload for one search (the first SSE message, and the JSON endpoint). */
  async payload(query: string): Promise<Payload> {
    const local = localView(this.d.source, this.counter);
    return this.compose(await this.views(local), local, query);
  }

  /** One refresh; public so tests can drive it without waiting for the timer. */
  async tick(): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    try {
      const local = localView(this.d.source, this.counter);
      await this.publish(local);
      if (this.watchers.size === 0) return;
      const views = await this.views(local);
      for (const w of this.watchers) w.send(JSON.stringify(this.compose(views, local, w.query)));
    } catch (error) {
      this.d.log.warn({ err: (error as Error).message }, 'admin refresh failed');
    } finally {
      this.busy = false;
    }
  }

  private async publish(local: InstanceView): Promise<void> {
    try {
      await this.d.board.publish(local);
      if (this.boardDown) this.d.log.info({}, 'admin board reachable again');
      this.boardDown = false;
    } catch (error) {
      if (!this.boardDown) this.d.log.warn({ err: (error as Error).message }, 'admin board unreachable');
      this.boardDown = true;
    }
  }

  private async views(local: InstanceView): Promise<InstanceView[]> {
    if (this.boardDown) return [local];
    try {
      return withLocal(await this.d.board.read(), local);
    } catch {
      return [local];
    }
  }

  private compose(views: InstanceView[], local: InstanceView, query: string): Payload {
    const users = findUsers(this.d.source, query, USER_LIMIT);
    return {
      self: local.instance,
      at: local.at,
      intervalMs: this.d.intervalMs,
      total: aggregate(views, local.pairs.perSecond.length),
      instances: views.map(({ pairs, ...v }) => ({ ...v, pairsPerSecond: recentRate(pairs) })),
      users: { matched: users.matched, limit: USER_LIMIT, rows: users.rows },
      inspector: this.d.inspectorPage ? { pageUrl: this.d.inspectorPage } : null,
    };
  }
}
