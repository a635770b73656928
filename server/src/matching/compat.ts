/**
 * Who may be paired with whom (PROTOCOL.md, Guarantees). Pure; the in-memory matcher uses it
 * directly and adapters/redis/scripts/claim.lua implements the same rules in Lua.
 */

/** How many of the longest-waiting users one claim looks at; keeps every claim O(1). */
export const SCAN_LIMIT = 64;

export interface Waiter {
  userId: string;
  interests: readonly string[];
  since: number;
}

export interface Rules {
  now: number;
  interestFallbackMs: number;
  rematchCooldownMs: number;
}

/**
 * Two users of the same mode are compatible when they share an interest, or when each of them
 * that named interests has waited at least the fallback time.
 * `readyAt` is when the second condition will hold (null if it already does).
 */
export function interestsMatch(a: Waiter, b: Waiter, rules: Rules): { ok: boolean; common: string[]; readyAt: number } {
  const common = a.interests.filter((tag) => b.interests.includes(tag));
  let readyAt = Number.NEGATIVE_INFINITY;
  if (a.interests.length > 0) readyAt = Math.max(readyAt, a.since + rules.interestFallbackMs);
  if (b.interests.length > 0) readyAt = Math.max(readyAt, b.since + rules.interestFallbackMs);
  return { ok: common.length > 0 || readyAt <= rules.now, common, readyAt };
}

export interface Candidate extends Waiter {
  /** When the caller and this candidate last skipped each other (either way), if they did. */
  skippedAt: number | null;
  blocked: boolean;
}

export type Choice = { chosen: Candidate; common: string[] } | { chosen: null; retryAt: number | null };

/**
 * Picks the longest-waiting compatible candidate (candidates come oldest first).
 * Users who skipped each other within the cooldown are paired only when nobody else waits and
 * both have waited the fallback time: "not paired again within the cooldown if anyone else is waiting".
 * `othersWaiting` counts the queue without the caller.
 */
export function choose(caller: Waiter, candidates: Iterable<Candidate>, othersWaiting: number, rules: Rules): Choice {
  let retryAt: number | null = null;
  const later = (at: number) => {
    retryAt = retryAt === null ? at : Math.min(retryAt, at);
  };
  for (const c of candidates) {
    if (c.userId === caller.userId || c.blocked) continue;
    const match = interestsMatch(caller, c, rules);
    if (!match.ok) {
      later(match.readyAt);
      continue;
    }
    if (c.skippedAt !== null && rules.now - c.skippedAt < rules.rematchCooldownMs) {
      const settleAt = Math.max(caller.since, c.since) + rules.interestFallbackMs;
      if (othersWaiting <= 1 && settleAt <= rules.now) return { chosen: c, common: match.common };
      later(othersWaiting <= 1 ? settleAt : c.skippedAt + rules.rematchCooldownMs);
      continue;
    }
    return { chosen: c, common: match.common };
  }
  return { chosen: null, retryAt };
}
