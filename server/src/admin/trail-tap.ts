/**
 * Fills each user's /admin trail of last events from the gateway's frame taps, where it costs
 * nothing extra: the client frames accepted, the frames sent out and socket closes. (Recording from
 * XState's inspection events would give the same story but costs ~650 bytes per actor for the
 * observer and several allocations per event; this is a map lookup and a typed-array write.)
 * Pings, pongs and stats are left out, or an idle user's trail would show nothing else.
 */
import type { FrameTap } from '../ports.ts';
import { eventTypes, Trail, type TrailEntry } from './trail.ts';

const QUIET = new Set(['ping', 'pong', 'stats']);

/** Codes for "→ enqueue" / "← matched", interned once per frame type (no string building per frame). */
function codes(prefix: string) {
  const memo = new Map<string, number>();
  return (type: string) => {
    let code = memo.get(type);
    if (code === undefined) {
      code = eventTypes.codeOf(`${prefix} ${type}`);
      memo.set(type, code);
    }
    return code;
  };
}

/** The trails of this instance's users, kept while their actors live. */
export class TrailTap implements FrameTap {
  private readonly trails = new Map<string, Trail>();
  private readonly inCode = codes('→');
  private readonly outCode = codes('←');
  private readonly closeCode = codes('✕');

  constructor(private readonly now: () => number = Date.now) {}

  frameIn(userId: string, type: string | null): void {
    if (type !== null && !QUIET.has(type)) this.record(userId, this.inCode(type));
  }

  frameOut(userId: string | null, type: string, _count: number): void {
    if (userId !== null && !QUIET.has(type)) this.record(userId, this.outCode(type));
  }

  socketClosed(userId: string, reason: string): void {
    this.record(userId, this.closeCode(reason));
  }

  released(userId: string): void {
    this.trails.delete(userId);
  }

  /** A user's recorded events, newest first (allocates: called by /admin, not on the hot path). */
  entries(userId: string): TrailEntry[] {
    return this.trails.get(userId)?.entries() ?? [];
  }

  private record(userId: string, code: number): void {
    let trail = this.trails.get(userId);
    if (!trail) {
      trail = new Trail();
      this.trails.set(userId, trail);
    }
    trail.record(code, this.now());
  }
}
