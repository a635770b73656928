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
  });
}
