/**
 * Durations as people and k6 write them ("500ms", "30s", "5m", "1h", "1m30s"), in milliseconds.
 * Pure: used by the k6 scripts and by the runner, so both read `--duration` the same way.
 */

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** Parses a duration; a bare number is seconds. Throws on anything else. */
export function parseDuration(text: string): number {
  const t = text.trim();
  if (/^\d+(\.\d+)?$/.test(t)) return Number(t) * 1000;
  const parts = [...t.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h)/g)];
  if (parts.length === 0 || parts.map((p) => p[0]).join('') !== t) {
    throw new Error(`"${text}" is not a duration (e.g. 500ms, 30s, 5m, 1h)`);
  }
  return parts.reduce((sum, p) => sum + Number(p[1]) * (UNIT_MS[p[2] ?? 's'] ?? 0), 0);
}

/** Formats milliseconds the way k6 accepts them (whole seconds when possible). */
export function formatDuration(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000}s` : `${Math.round(ms)}ms`;
}
