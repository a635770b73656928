/**
 * When the store lost this instance's users behind its back, tell them. Two ways it happens:
 * 'swept', the other instances took this one for dead (it was stopped or cut off past the TTL)
 * and closed its users' sessions and queue entries; 'reset', Redis came back empty. Either way:
 *
 * - every user in a session has it closed (a compare-and-set: a no-op where the sweep already did
 *   it, and the partner is told where it did not), is told `peerLeft` (disconnect) and queues again;
 *   after a reset, where nothing is left to close, the session's start and end are journaled here;
 * - every waiting user claims again (its queue entry is gone);
 * - after a reset, the blocks of this instance's devices are put back from PostgreSQL.
 */
import type { ClosedSession, Deliver, JournalEntry, Matcher, SessionInfo } from '../ports.ts';
import { protocolState } from '../session/machine.ts';

/** What reconciling needs to see of each local user's actor. */
export interface LocalUser {
  userId: string;
  actor: {
    getSnapshot(): { value: unknown; context: { session: SessionInfo | null; device: string } };
    send(event: { type: 'queue.recheck' }): void;
  };
}

export interface ReconcileDeps {
  users: () => Iterable<LocalUser>;
  /** The matcher with its session hooks (rooms closed, metrics), and `closed` for a close found here. */
  matcher: Matcher & { closed(c: ClosedSession): void };
  /** Journals an entry (held and written directly if the store cannot take it yet). */
  record: (entry: JournalEntry) => void;
  deliver: Deliver;
  /** After a reset: the blocks of these devices, from PostgreSQL, back into the store. */
  restoreBlocks: (devices: string[]) => Promise<void>;
  now: () => number;
}

const IN_SESSION = new Set(['matched', 'inCall', 'suspended']);

/** Tells every local user what the store lost; resolves with how many were in a session and how many were waiting. */
export async function reconcile(
  kind: 'swept' | 'reset',
  d: ReconcileDeps,
): Promise<{ sessions: number; waiting: number }> {
  const users = [...d.users()];
  let sessions = 0;
  let waiting = 0;
  await Promise.all(
    users.map(async (u) => {
      const snap = u.actor.getSnapshot();
      const state = protocolState(snap.value);
      const session = snap.context.session;
      if (session && IN_SESSION.has(state)) {
        sessions++;
        const closed = await d.matcher.close(session.sessionId, u.userId, 'disconnect').catch(() => null);
        if (!closed && kind === 'reset') recordLost(u.userId, session, d);
        d.deliver(u.userId, { type: 'peer.left', sessionId: session.sessionId, reason: 'disconnect' });
      } else if (state === 'waiting') {
        waiting++;
        u.actor.send({ type: 'queue.recheck' });
      }
    }),
  );
  if (kind === 'reset') await d.restoreBlocks([...new Set(users.map((u) => u.actor.getSnapshot().context.device))]);
  return { sessions, waiting };
}

/** A session Redis lost with everything else: its start (perhaps lost too) and its end, journaled from what we know. */
function recordLost(userId: string, s: SessionInfo, d: ReconcileDeps): void {
  const started = { sessionId: s.sessionId, userA: s.partnerId, userB: userId, mode: s.mode, startedAt: s.startedAt };
  const ended: ClosedSession = { ...started, endedAt: d.now(), endedBy: userId, reason: 'disconnect' };
  d.record({ kind: 'started', session: started });
  d.record({ kind: 'ended', session: ended });
  d.matcher.closed(ended);
}
