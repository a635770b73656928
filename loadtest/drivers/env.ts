/**
 * A Bun driver's parameters: the runner passes them as environment variables with the same names
 * and formats the k6 scripts take with `-e` (loadtest/lib/env.ts), so a driver also runs on its own
 * (`TARGETS=ws://127.0.0.1:3000/ws bun loadtest/drivers/bun-churn.ts`).
 */
import { parseDuration } from '../lib/duration.ts';

const raw = (name: string): string | undefined => {
  const v = process.env[name];
  return v === undefined || v === '' ? undefined : v;
};

/** A number parameter; a malformed value stops the driver before it connects anything. */
export function num(name: string, fallback: number): number {
  const v = raw(name);
  if (v === undefined) return fallback;
  const n = Number(v);
  if (!Number.isFinite(n)) throw new Error(`${name} must be a number, got "${v}"`);
  return n;
}

/** A duration parameter ("30s", "1500ms"), in milliseconds. */
export function ms(name: string, fallback: string): number {
  return parseDuration(raw(name) ?? fallback);
}

/** A string parameter. */
export function str(name: string, fallback: string): string {
  return raw(name) ?? fallback;
}

/** The WebSocket URLs of the server instances (TARGETS, comma separated); users go round-robin. */
export function targets(): string[] {
  return str('TARGETS', 'ws://127.0.0.1:3000/ws')
    .split(',')
    .map((t) => t.trim())
    .filter((t) => t !== '');
}
