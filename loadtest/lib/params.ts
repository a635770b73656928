/**
 * Reading a load script's parameters from wherever its runtime keeps them: k6's `__ENV`
 * (loadtest/lib/env.ts) or a Bun driver's `process.env` (loadtest/drivers/env.ts). The runner
 * passes the same names and formats to both, and each has a default so a script also runs on its own.
 */
import { parseDuration } from './duration.ts';

export interface Params {
  /** A number parameter; a malformed value stops the script before it connects anything. */
  num(name: string, fallback: number): number;
  /** A duration parameter ("30s", "1500ms", "5m"), in milliseconds. */
  ms(name: string, fallback: string): number;
  /** A string parameter. */
  str(name: string, fallback: string): string;
  /**
   * The WebSocket URLs of the server instances (TARGETS, comma separated). Users are spread over
   * them round-robin, so `--instances 2` puts half of every VU's users on each instance.
   */
  targets(): string[];
}

export function paramsFrom(get: (name: string) => string | undefined): Params {
  const raw = (name: string): string | undefined => {
    const v = get(name);
    return v === undefined || v === '' ? undefined : v;
  };
  const str = (name: string, fallback: string): string => raw(name) ?? fallback;
  return {
    num(name, fallback) {
      const v = raw(name);
      if (v === undefined) return fallback;
      const n = Number(v);
      if (!Number.isFinite(n)) throw new Error(`${name} must be a number, got "${v}"`);
      return n;
    },
    ms: (name, fallback) => parseDuration(raw(name) ?? fallback),
    str,
    targets: () =>
      str('TARGETS', 'ws://127.0.0.1:3000/ws')
        .split(',')
        .map((t) => t.trim())
        .filter((t) => t !== ''),
  };
}
