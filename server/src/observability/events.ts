/**
 * One info line per session event (a pair formed, a session closed, a user gone), with the ids
 * that let an operator follow a user or a session through the logs. Never per frame: chat,
 * typing and pings are not logged at all.
 */
import type { ClosedSession, FrameTap, StartedSession } from '../ports.ts';

export interface EventLog {
  info(obj: object, msg: string): void;
}

export function sessionEvents(log: EventLog) {
  return {
    started(s: StartedSession): void {
      log.info({ sessionId: s.sessionId, userId: s.userB, partnerId: s.userA, mode: s.mode }, 'session started');
    },
    closed(c: ClosedSession): void {
      log.info(
        {
          sessionId: c.sessionId,
          userId: c.endedBy,
          partnerId: c.endedBy === c.userA ? c.userB : c.userA,
          reason: c.reason,
          durationMs: c.endedAt - c.startedAt,
        },
        'session closed',
      );
    },
    /** A frame tap logging each user whose actor finished (socket gone, heartbeat missed, drained). */
    tap: {
      released(userId: string, conn: string): void {
        log.info({ userId, conn }, 'user disconnected');
      },
    } satisfies Partial<FrameTap>,
  };
}
