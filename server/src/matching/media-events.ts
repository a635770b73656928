/**
 * What a verified media-server event does to sessions.
 *
 * `participant_left` and `room_finished` of an open session close it with reason `disconnect`, as
 * the system: both users are told (the one who left too, since its actor did not ask for it).
 * Exactly once, whichever comes first, this or the user's own frame (skip, end, socket close): the
 * matcher's close is a compare-and-set, and every later attempt finds the session closed.
 *
 * A user whose socket dropped and who is held for the resume grace (`suspended`) is NOT protected
 * from this: leaving the media room as well means both of its connections are gone (a closed tab,
 * a crashed browser), so the partner is released now rather than after the grace. A participant
 * that was merely replaced by its own newer connection (a rejoin) has not left, and is ignored.
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
