/**
 * What a verified media-server event does to sessions.
 *
 * `participant_left` and `room_finished` of an open session close it with reason `disconnect`, as
 * the system. Exactly once, whichever comes first, this or the user's own frame (skip, end, socket
 * close): the matcher's close is a compare-and-set, and every later attempt finds the session closed.
 *
 * Who hears what: the partner of the one who left gets `peerLeft` (disconnect) and is re-queued at
 * once. The one who left gets `media.left`, since its actor did not ask for the close:
 * - held for the resume grace (`suspended`, socket already gone): it is NOT protected by the grace.
 *   Socket and media both gone means the tab is gone (closed, crashed), so it is disconnected now
 *   and its partner is released now rather than after the grace;
 * - socket still open: a closing tab drops its socket and its media together, in either order, so
 *   its actor waits a moment (`mediaLost`) for the socket to follow before re-queueing it; a tab that
 *   is really still there (only its media failed) is then told `peerLeft` and queued again, and one
 *   that was closing is never queued as a ghost.
 * `room_finished` names nobody: both users get `peerLeft`. A participant that was merely replaced by
 * its own newer connection (a rejoin) has not left, and is ignored.
 *
 * Webhooks are best effort (late, duplicated, unordered, sometimes lost), so nothing depends on one
 * arriving: the socket and the heartbeat remain the authority, this only makes the end faster.
 */
import type { Closer, Matcher, MediaEvent } from '../ports.ts';

export type MediaOutcome = 'closed' | 'not_open' | 'duplicate' | 'ignored';

/** Recent event ids, oldest first; bounded so a flood cannot grow it. */
class RecentIds {
  private readonly ids = new Set<string>();
  constructor(private readonly limit: number) {}
  has(id: string): boolean {
    return this.ids.has(id);
  }
  add(id: string): void {
    this.ids.add(id);
    if (this.ids.size > this.limit) this.ids.delete(this.ids.values().next().value as string);
  }
  delete(id: string): void {
    this.ids.delete(id);
  }
}

/** Name the system closes under, recorded as `ended_by` when no member is named. */
export const MEDIA_SYSTEM = 'livekit';

function closerOf(e: MediaEvent): Closer | null {
  if (e.kind === 'participant_left') return e.replaced ? null : { system: MEDIA_SYSTEM, member: e.identity };
  if (e.kind === 'room_finished') return { system: MEDIA_SYSTEM };
  return null;
}

/**
 * Returns the handler for verified events. Duplicates are dropped by id here (cheap, per
 * instance); across instances the compare-and-set close makes a duplicate harmless anyway.
 * A failed close rejects and forgets the id, so LiveKit's retry is processed.
 */
export function mediaEvents(matcher: Pick<Matcher, 'close'>, remember = 4096) {
  const seen = new RecentIds(remember);
  return async (e: MediaEvent): Promise<MediaOutcome> => {
    if (seen.has(e.id)) return 'duplicate';
    const closer = closerOf(e);
    if (!closer || e.kind === 'other') return 'ignored';
    seen.add(e.id);
    try {
      return (await matcher.close(e.room, closer, 'disconnect')) ? 'closed' : 'not_open';
    } catch (error) {
      seen.delete(e.id);
      throw error;
    }
  };
}
