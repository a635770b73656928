/**
 * What the simulated strangers say to each other. A probe carries the sender's user id (so the
 * two sides can agree, without any shared memory, which of them ends the session) and a sequence
 * number the partner echoes back (a round trip through the server, twice relayed). Pure.
 */

/** A chat line of the simulated strangers. */
export type Line = { kind: 'probe'; userId: string; seq: number } | { kind: 'reply'; seq: number };

/** The line that says who I am; the partner echoes its sequence number. */
export const probe = (userId: string, seq: number): string => `p ${userId} ${seq}`;
/** The echo of a probe. */
export const reply = (seq: number): string => `r ${seq}`;

/** Parses a chat line written by `probe` or `reply`; null for anything else. */
export function parseLine(text: string): Line | null {
  const [kind, a, b] = text.split(' ');
  if (kind === 'p' && a && b !== undefined) return { kind: 'probe', userId: a, seq: Number(b) };
  if (kind === 'r' && a !== undefined) return { kind: 'reply', seq: Number(a) };
  return null;
}

/** The side with the smaller user id ends the session; both sides compute the same answer. */
export const isEnder = (me: string, partner: string): boolean => me < partner;
