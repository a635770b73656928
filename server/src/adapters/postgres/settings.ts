/** Values every instance shares, kept in PostgreSQL: made once by whichever instance asks first. */
import { randomBytes } from 'node:crypto';
import type { Db } from './db.ts';

/** The secret named `name`: made (32 random bytes) the first time any instance asks, the same for all after. */
export async function sharedSecret(sql: Db, name: string): Promise<string> {
  const fresh = randomBytes(32).toString('base64url');
  await sql`INSERT INTO settings (name, value) VALUES (${name}, ${fresh}) ON CONFLICT (name) DO NOTHING`;
  const [row] = await sql<{ value: string }[]>`SELECT value FROM settings WHERE name = ${name}`;
  if (!row) throw new Error(`setting ${name} could not be read back`);
  return row.value;
}
