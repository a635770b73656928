/**
 * Reconnect delays: exponential from 500 ms, capped at 10 s, with "equal jitter" (half fixed, half
 * random) so a server restart is not met by every client at the same instant.
 */
export const BACKOFF_BASE_MS = 500;
export const BACKOFF_CAP_MS = 10_000;

/** Delay before reconnect attempt `attempt` (0 for the first retry); `random` in [0, 1). */
export function backoffDelay(attempt: number, random: number): number {
  const ceiling = Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** Math.max(0, attempt));
  return Math.round(ceiling / 2 + (ceiling / 2) * random);
}
