/** The PostgreSQL connection (postgres.js). */
import postgres, { type Sql } from 'postgres';

export type Db = Sql<Record<string, never>>;

/** `max: 1` for the embedded PGlite server, which serves one connection at a time. */
export function connect(url: string, opts: { max?: number } = {}): Db {
  return postgres(url, {
    max: opts.max ?? 10,
    onnotice: () => {},
    connect_timeout: 10,
    idle_timeout: 60,
    // Seconds before reconnecting after the n-th failure in a row. postgres.js's own grows to 20 s
    // across the pool, so after an outage the first query could wait that long for PostgreSQL that
    // was back already; capped at 1 s, the session log drains and /readyz recovers within a second.
    backoff: (n: number) => Math.min(0.05 * 2 ** n, 1),
  });
}
