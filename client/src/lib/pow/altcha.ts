/**
 * The bot check's data, as altcha-lib makes it: what a challenge is and which this page can solve,
 * and how the search for its answer is cut into chunks so that progress can be shown. Two shapes:
 * altcha-lib's v2 challenge (`parameters` + `signature`: find the counter whose derived key starts
 * with `keyPrefix`), which the server sends today, and the v1 challenge of the contract (the hash
 * of `salt + n` for a secret n ≤ maxnumber). Pure; the search runs in pow.worker.ts.
 */
import type { Challenge } from 'altcha-lib';

export interface AltchaV1 {
  algorithm: string;
  challenge: string;
  maxnumber: number;
  salt: string;
  signature: string;
}

/**
 * A challenge this page can solve. `max`: the largest answer there can be, when known, so that
 * progress is a share of the work (the v2 challenge says it only if the server adds `maxNumber`).
 */
export type PowTask =
  | { kind: 'v1'; challenge: AltchaV1; max: number }
  | { kind: 'v2'; challenge: Challenge; max: number | null };

/** altcha-lib's own default when a v1 challenge names no maximum. */
const DEFAULT_MAX_NUMBER = 1_000_000;

/** The key derivations this page has (WebCrypto's): altcha-lib's scrypt and Argon2id are not bundled. */
export const V2_ALGORITHMS = ['SHA-256', 'SHA-384', 'SHA-512', 'PBKDF2/SHA-256', 'PBKDF2/SHA-384', 'PBKDF2/SHA-512'];

/** Progress is reported about this many times over a v1 search. */
const STEPS = 100;

type Raw = Record<string, unknown>;
const isObject = (v: unknown): v is Raw => typeof v === 'object' && v !== null && !Array.isArray(v);
const isText = (v: unknown): v is string => typeof v === 'string' && v.length > 0;
const asMax = (v: unknown): number | null => (typeof v === 'number' && Number.isSafeInteger(v) && v >= 1 ? v : null);

/** The challenge in `raw`, or null when it is not one this page can solve. */
export function readChallenge(raw: unknown): PowTask | null {
  if (!isObject(raw)) return null;
  return isObject(raw.parameters) ? readV2(raw, raw.parameters) : readV1(raw);
}

function readV2(raw: Raw, p: Raw): PowTask | null {
  const known = typeof p.algorithm === 'string' && V2_ALGORITHMS.includes(p.algorithm);
  const texts = [p.nonce, p.salt, p.keyPrefix, raw.signature].every(isText);
  if (!known || !texts || asMax(p.cost) === null) return null;
  const data = isObject(p.data) ? p.data : {};
  const max = asMax(raw.maxNumber) ?? asMax(raw.maxnumber) ?? asMax(data.maxNumber);
  return { kind: 'v2', challenge: { parameters: p as never, signature: raw.signature as string }, max };
}

function readV1(r: Raw): PowTask | null {
  if (![r.algorithm, r.challenge, r.salt, r.signature].every(isText)) return null;
  const max =
    r.maxnumber === undefined && r.maxNumber === undefined ? DEFAULT_MAX_NUMBER : asMax(r.maxnumber ?? r.maxNumber);
  if (max === null) return null;
  const [algorithm, challenge, salt, signature] = [r.algorithm, r.challenge, r.salt, r.signature] as string[];
  return { kind: 'v1', challenge: { algorithm, challenge, maxnumber: max, salt, signature } as AltchaV1, max };
}

/** The ranges [start, end] (inclusive) a v1 search goes through, in order. */
export function chunks(max: number): [number, number][] {
  const size = Math.max(1000, Math.ceil((max + 1) / STEPS));
  const out: [number, number][] = [];
  for (let start = 0; start <= max; start += size) out.push([start, Math.min(max, start + size - 1)]);
  return out;
}
