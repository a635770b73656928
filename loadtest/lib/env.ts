/**
 * Scenario parameters. The runner (`bun run load`) passes them to k6 with `-e NAME=value`; each has
 * a default so a script also runs on its own (`k6 run loadtest/scenarios/pairing.ts`).
 */
import { parseDuration } from './duration.ts';

const raw = (name: string): string | undefined => {
  const v = __ENV[name];
  return v === undefined || v === '' ? undefined : v;
};

/** A number parameter; a malformed value stops the script in the init context. */
export function num(name: string, fallback: number): number {
  const v = raw(name);
  if (v === undefined) return fallback;
  const n = Number(v);
  if (!Number.isFinite(n)) throw new Error(`${name} must be a number, got "${v}"`);
  return n;
}

/** A duration parameter ("30s", "5m"), in milliseconds. */
export function ms(name: string, fallback: string): number {
  return parseDuration(raw(name) ?? fallback);
}

/** A string parameter. */
export function str(name: string, fallback: string): string {
  return raw(name) ?? fallback;
}

/**
 * The WebSocket URLs of the server instances (TARGETS, comma separated). Users are spread over
 * them round-robin, so `--instances 2` puts half of every VU's users on each instance.
 */
export function targets(): string[] {
  return str('TARGETS', 'ws://127.0.0.1:3000/ws')
    .split(',')
    .map((t) => t.trim())
    .filter(Boolean);
}

/** This VU's share of a total spread over `vus` VUs (VU numbers start at 1). */
export function share(total: number, vus: number, vu: number): number {
  const base = Math.floor(total / vus);
  return base + (vu <= total % vus ? 1 : 0);
}
