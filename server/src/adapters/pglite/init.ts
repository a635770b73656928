/**
 * Creates an embedded PostgreSQL data directory, in a process of its own (embedded.ts runs this as
 * a child): PGlite's initdb takes several hundred MB that a process never gives back, so it is
 * not done in the server that then runs for days.
 *
 *   bun server/src/adapters/pglite/init.ts <dataDir>
 */
import { PGlite } from '@electric-sql/pglite';

const dir = process.argv[2];
if (!dir) throw new Error('usage: init.ts <dataDir>');
const db = await PGlite.create(dir);
await db.close();
