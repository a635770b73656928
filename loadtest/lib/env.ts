/**
 * Scenario parameters. The runner (`bun run load`) passes them to k6 with `-e NAME=value`; each has
 * a default so a script also runs on its own (`k6 run loadtest/scenarios/pairing.ts`).
 */
import { paramsFrom } from './params.ts';

export const { num, ms, str, targets } = paramsFrom((name) => __ENV[name]);

/** This VU's share of a total spread over `vus` VUs (VU numbers start at 1). */
export function share(total: number, vus: number, vu: number): number {
  const base = Math.floor(total / vus);
  return base + (vu <= total % vus ? 1 : 0);
}
