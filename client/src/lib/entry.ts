/**
 * What `GET /api/entry` says about this device before it may connect: has it confirmed it is 18+,
 * is it banned, must it solve a bot check first, and what safe mode counts as unsafe. Decoded
 * tolerantly (unknown fields ignored, missing ones defaulted), like server frames.
 */
import { DEFAULT_SAFE_CONFIG, type SafeConfig } from './safety/shield.ts';

export interface Ban {
  /** When the ban ends (ms epoch); null: it does not. */
  until: number | null;
  reason: string;
}

export interface Entry {
  adult: boolean;
  banned: Ban | null;
  /** An ALTCHA challenge to solve before the WebSocket is let in (see pow/altcha.ts), raw. */
  challenge: Record<string, unknown> | null;
  safeMode: SafeConfig;
  /** The device id the server's cookie names (for the admin API; the tests use it). */
  device: string | null;
}

/** What the page assumes until the server answers, or when it cannot: nothing confirmed, default safe mode. */
export function unknownEntry(): Entry {
  return { adult: false, banned: null, challenge: null, safeMode: DEFAULT_SAFE_CONFIG, device: null };
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function decodeBan(v: unknown): Ban | null {
  if (!isObject(v)) return null;
  const until = typeof v.until === 'number' && Number.isFinite(v.until) ? v.until : null;
  return { until, reason: typeof v.reason === 'string' ? v.reason : '' };
}

function decodeSafeMode(v: unknown): SafeConfig {
  if (!isObject(v)) return DEFAULT_SAFE_CONFIG;
  const unsafe = Array.isArray(v.unsafe) ? v.unsafe.filter((c): c is string => typeof c === 'string') : null;
  const t = v.threshold;
  const threshold = typeof t === 'number' && t >= 0 && t <= 1 ? t : DEFAULT_SAFE_CONFIG.threshold;
  return { unsafe: unsafe ?? DEFAULT_SAFE_CONFIG.unsafe, threshold };
}

/** The entry in a decoded JSON body; null when the body is not one (an old server, a proxy's page). */
export function decodeEntry(v: unknown): Entry | null {
  if (!isObject(v) || typeof v.adult !== 'boolean') return null;
  return {
    adult: v.adult,
    banned: decodeBan(v.banned),
    challenge: isObject(v.challenge) ? v.challenge : null,
    safeMode: decodeSafeMode(v.safeMode),
    device: typeof v.device === 'string' ? v.device : null,
  };
}
