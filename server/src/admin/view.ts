/**
 * What /admin shows of one instance, computed from its live actors once per refresh: counts per
 * state (every active state node, so compound states and regions have counts too), sockets, the
 * queue, pairs per second, and the connected users matching a search.
 */
import { eventLabel } from './chart/model.ts';
import type { PerSecond, Series } from './series.ts';
import type { TrailEntry } from './trail.ts';

/** The part of a connection /admin reads (the gateway registry's records fit). */
export interface Watched {
  userId: string;
  actor: { getSnapshot(): { value?: unknown; context?: unknown } };
  ws: unknown;
}

export interface LocalSource {
  instance: string;
  connections(): Iterable<Watched>;
  /** A user's last events, newest first. */
  events(userId: string): TrailEntry[];
  /** Users waiting across all instances, as this instance last learned it. */
  queue(): number;
  pairs: PerSecond;
  now(): number;
}

/** One instance, as published to the others. JSON-safe. */
export interface InstanceView {
  instance: string;
  at: number;
  online: number;
  sockets: number;
  queue: number;
  /** Actors per active state path ('waiting', 'waiting.queued', 'inCall', …). */
  states: Record<string, number>;
  pairsTotal: number;
  pairs: Series;
}

export interface UserRow {
  userId: string;
  /** The leaf state of each region, e.g. ['waiting.queued']. */
  states: string[];
  sessionId: string | null;
  partnerId: string | null;
  connected: boolean;
  /** Newest first. */
  events: TrailEntry[];
}

/** Counts actors per state path; the path strings are built once per distinct state, not per actor. */
export class StateCounter {
  private readonly paths = new Map<string, Map<string, string>>();

  count(values: Iterable<unknown>): Record<string, number> {
    const counts: Record<string, number> = {};
    for (const v of values) this.walk(v, '', counts);
    return counts;
  }

  walk(value: unknown, prefix: string, counts: Record<string, number>): void {
    if (typeof value === 'string') {
      const p = this.path(prefix, value);
      counts[p] = (counts[p] ?? 0) + 1;
      return;
    }
    if (!value || typeof value !== 'object') return;
    for (const key in value) {
      const p = this.path(prefix, key);
      counts[p] = (counts[p] ?? 0) + 1;
      this.walk((value as Record<string, unknown>)[key], p, counts);
    }
  }

  private path(prefix: string, key: string): string {
    let inner = this.paths.get(prefix);
    if (!inner) {
      inner = new Map();
      this.paths.set(prefix, inner);
    }
    let p = inner.get(key);
    if (p === undefined) {
      p = prefix ? `${prefix}.${key}` : key;
      inner.set(key, p);
    }
    return p;
  }
}

/** The leaf state path of each region of a state value. */
export function leafPaths(value: unknown, prefix = ''): string[] {
  if (typeof value === 'string') return [prefix ? `${prefix}.${value}` : value];
  if (!value || typeof value !== 'object') return [];
  return Object.entries(value).flatMap(([k, v]) => leafPaths(v, prefix ? `${prefix}.${k}` : k));
}

/** This instance's view, in one pass over its connections. */
export function localView(src: LocalSource, counter: StateCounter): InstanceView {
  const states: Record<string, number> = {};
  let online = 0;
  let sockets = 0;
  for (const c of src.connections()) {
    online++;
    if (c.ws) sockets++;
    counter.walk(c.actor.getSnapshot().value, '', states);
  }
  return {
    instance: src.instance,
    at: src.now(),
    online,
    sockets,
    queue: src.queue(),
    states,
    pairsTotal: src.pairs.total,
    pairs: src.pairs.series(),
  };
}

function rowOf(c: Watched, events: TrailEntry[]): UserRow {
  const snap = c.actor.getSnapshot();
  const session = (snap.context as { session?: { sessionId?: string; partnerId?: string } | null } | undefined)
    ?.session;
  return {
    userId: c.userId,
    states: leafPaths(snap.value),
    sessionId: session?.sessionId ?? null,
    partnerId: session?.partnerId ?? null,
    connected: Boolean(c.ws),
    events: events.map((e) => ({ type: eventLabel(e.type), at: e.at })),
  };
}

/** Users whose id, session, partner or state contains `query` (case-insensitive); at most `limit`. */
export function findUsers(src: LocalSource, query: string, limit: number): { matched: number; rows: UserRow[] } {
  const q = query.trim().toLowerCase();
  const rows: UserRow[] = [];
  let matched = 0;
  for (const c of src.connections()) {
    if (!q && rows.length >= limit) {
      matched++;
      continue;
    }
    const row = rowOf(c, src.events(c.userId));
    const hit =
      !q ||
      [row.userId, row.sessionId ?? '', row.partnerId ?? '', ...row.states].some((s) => s.toLowerCase().includes(q));
    if (!hit) continue;
    matched++;
    if (rows.length < limit) rows.push(row);
  }
  return { matched, rows };
}
