/**
 * Wraps a matcher with what must follow each session's start and end, whichever code path caused
 * it: the media room closed, metrics and log lines. Only the call that formed or closed a session
 * sees it, so each happens exactly once across all instances. (The session log row is not here:
 * the store journals it in the same step as the change itself, see ports.ts `Journal`.)
 */
import type { ClaimResult, ClosedSession, Closer, Matcher, Media, StartedSession, Ticket } from '../ports.ts';
import type { LeaveReason } from '../protocol.ts';

export interface SessionHookDeps {
  media: Media;
  onPair: (started: StartedSession) => void;
  onClose: (closed: ClosedSession) => void;
}

/** The matcher with the hooks; `closed` runs them for a session closed elsewhere (the sweep). */
export type HookedMatcher = Matcher & { closed(c: ClosedSession): void };

export function withSessionHooks(inner: Matcher, d: SessionHookDeps): HookedMatcher {
  const closed = (c: ClosedSession) => {
    // Text sessions never had a room: no need to ask the media server to delete one.
    if (c.mode === 'video') d.media.closeRoom(c.sessionId);
    d.onClose(c);
  };
  const after = (c: ClosedSession | null) => {
    if (c) closed(c);
    return c;
  };
  return {
    closed,
    async claim(t: Ticket): Promise<ClaimResult> {
      const result = await inner.claim(t);
      for (const c of result.ended ?? []) closed(c);
      if (result.kind === 'matched' && result.formed) {
        const s = result.session;
        const started: StartedSession = {
          sessionId: s.sessionId,
          userA: s.partnerId,
          userB: t.userId,
          mode: s.mode,
          startedAt: s.startedAt,
        };
        d.onPair(started);
      }
      return result;
    },
    ready: (sessionId, userId) => inner.ready(sessionId, userId),
    close: async (sessionId: string, by: Closer, reason: LeaveReason) =>
      after(await inner.close(sessionId, by, reason)),
    leave: async (userId: string, conn: string, reason: LeaveReason) => after(await inner.leave(userId, conn, reason)),
  };
}
