/**
 * Wraps a matcher so every session that starts or ends is recorded (PostgreSQL, metrics) and its
 * media room is closed, whichever code path closed it. Only the call that formed or closed a
 * session sees it, so each is recorded exactly once across all instances.
 */
import type { ClaimResult, ClosedSession, Closer, Matcher, Media, SessionLog, Ticket } from '../ports.ts';
import type { LeaveReason } from '../protocol.ts';

export interface RecordingDeps {
  log: SessionLog;
  media: Media;
  onPair: (started: StartedSession) => void;
  onClose: (closed: ClosedSession) => void;
}

export type StartedSession = Parameters<SessionLog['started']>[0];

export function recording(inner: Matcher, d: RecordingDeps): Matcher & { closed(c: ClosedSession): void } {
  const closed = (c: ClosedSession) => {
    d.log.ended(c);
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
      if (result.leftover) closed(result.leftover);
      if (result.kind === 'matched' && result.formed) {
        const s = result.session;
        const started = {
          sessionId: s.sessionId,
          userA: s.partnerId,
          userB: t.userId,
          mode: s.mode,
          startedAt: s.startedAt,
        };
        d.log.started(started);
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
