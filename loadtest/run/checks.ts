/**
 * What must hold after the load stops (the soak's conditions, checked after every run): every
 * socket, actor, queued user and unwritten journal entry is gone, Redis holds nothing of the run, and
 * PostgreSQL has one ended row for every pair the servers formed.
 */
import type { Sampler } from './sampler.ts';
import type { Stores } from './stores.ts';
import { metric } from './windows.ts';

/** The state of the servers and Redis after the load. */
export interface Settled {
  ok: boolean;
  /** Seconds from the end of the load until everything was zero (or the timeout). */
  seconds: number;
  sockets: number;
  actors: number;
  waiting: number;
  pendingRows: number;
  redis: { queued: number; users: number; openSessions: number; journal: number };
  pairs: number;
}

/** Samples until the servers and Redis are empty, or `timeoutMs` passes. */
export async function settle(sampler: Sampler, stores: Stores, timeoutMs: number): Promise<Settled> {
  const t0 = Date.now();
  for (;;) {
    const s = await sampler.scrapeNow();
    const redis = await stores.leftovers();
    const r: Settled = {
      ok: false,
      seconds: (Date.now() - t0) / 1000,
      sockets: metric(s, 'sockets'),
      actors: metric(s, 'actors'),
      waiting: metric(s, 'waiting'),
      pendingRows: metric(s, 'pendingRows'),
      redis,
      pairs: metric(s, 'pairs'),
    };
    const zero =
      s.scraped &&
      r.sockets +
        r.actors +
        r.waiting +
        r.pendingRows +
        redis.queued +
        redis.users +
        redis.openSessions +
        redis.journal ===
        0;
    if (zero || Date.now() - t0 >= timeoutMs) return { ...r, ok: zero };
    await Bun.sleep(2000); // each scrape holds the server's thread; no need to ask often
  }
}

/** PostgreSQL's session rows against the pairs the servers counted. */
export interface Rows {
  ok: boolean;
  pairs: number;
  rows: number;
  open: number;
}

/** After the servers stopped (their session logs flushed): one ended row per pair. */
export async function rowsMatchPairs(stores: Stores, pairs: number): Promise<Rows> {
  const { total, open } = await stores.sessionRows();
  return { ok: total === pairs && open === 0, pairs, rows: total, open };
}
