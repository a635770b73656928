/**
 * Binds the pure session machine to the real world with `provide()`: the matcher, chat relay,
 * media grants, moderation, the socket outbox and the configured timers.
 */
import { type AnyActorRef, assign } from 'xstate';
import type { Timers } from '../config.ts';
import type { Ban, Matcher, Media, Moderation, Outbox, Relay, Ticket } from '../ports.ts';
import type { ServerFrame } from '../protocol.ts';
import { type SessionEvent, sessionMachine } from './machine.ts';

export interface SessionBindings {
  matcher: Matcher;
  relay: Relay;
  media: Media;
  moderation: Moderation;
  timers: Timers;
  out: Outbox;
  newSessionId: () => string;
  now: () => number;
  /** When this user's last client frame arrived (ms epoch); the heartbeat is measured from it. */
  lastFrameAt: (userId: string) => number;
  /** Called once per user per match with the time it waited. */
  onMatch: (waitedMs: number) => void;
  /** Background effects that failed (logged; the state machine has already moved on). */
  onError: (what: string, error: unknown) => void;
}

/** The `banned` error: until when (and how long, as `retryAfterMs`) and why; for good when it has no end. */
export function bannedFrame(ban: Ban | null, now: number): ServerFrame {
  const why = ban?.reason ? ` (${ban.reason})` : '';
  if (!ban || ban.until === null) return { type: 'error', code: 'banned', message: `you are banned for good${why}` };
  const until = new Date(ban.until).toISOString();
  return {
    type: 'error',
    code: 'banned',
    message: `you are banned until ${until}${why}`,
    retryAfterMs: Math.max(0, Math.ceil(ban.until - now)),
  };
}

/** Background effects still running, so shutdown can wait for them. */
export const pendingEffects = new Set<Promise<unknown>>();

function background(b: SessionBindings, what: string, work: () => Promise<unknown>): void {
  const p = work()
    .catch((error) => b.onError(what, error))
    .finally(() => pendingEffects.delete(p));
  pendingEffects.add(p);
}

/** Sends a result back to the actor unless it has stopped meanwhile. */
function reply(self: AnyActorRef, event: SessionEvent): void {
  if (self.getSnapshot().status === 'active') self.send(event);
}

/** The session machine with every side effect bound. Create once per server. */
export function bindSessionMachine(b: SessionBindings) {
  const silentFor = (userId: string) => b.now() - b.lastFrameAt(userId);
  return sessionMachine.provide({
    actions: {
      startClaim: ({ context, self }, p) => {
        const { seq, userId, conn, mode, interests, since, device, ipHash, origin } = context;
        const pool = b.moderation.shadowed(device) ? 'shadow' : 'main';
        const ticket: Ticket = {
          userId,
          conn,
          mode,
          interests,
          since,
          device,
          ipHash,
          origin,
          pool,
          sessionId: b.newSessionId(),
        };
        if (p?.closing) ticket.closing = p.closing;
        background(b, 'claim', () =>
          b.matcher.claim(ticket).then(
            (result) => reply(self, { type: 'claim.done', seq, result }),
            (error) => {
              b.onError('claim', error);
              reply(self, { type: 'claim.failed', seq });
            },
          ),
        );
      },
      emit: ({ context }, frame) => b.out.send(context.userId, frame),
      emitMatched: ({ context }) => {
        const s = context.session;
        if (!s) return;
        const grant = s.mode === 'video' ? b.media.grant(s.sessionId, context.userId) : null;
        b.out.send(context.userId, {
          type: 'matched',
          sessionId: s.sessionId,
          mode: s.mode,
          commonInterests: s.commonInterests,
          room: grant?.room ?? null,
          token: grant?.token ?? null,
          livekitUrl: grant?.url ?? null,
        });
      },
      matchFound: ({ context }) => b.onMatch(b.now() - context.since),
      relay: ({ context }, p) => {
        const s = context.session;
        if (!s) return;
        const event =
          p.kind === 'message'
            ? { type: 'peer.message' as const, sessionId: p.sessionId, text: p.text, at: b.now() }
            : { type: 'peer.typing' as const, sessionId: p.sessionId, typing: p.typing };
        b.relay.relay(s.partnerId, s.partnerInstance, event);
      },
      markReady: ({ context, self }) => {
        const sessionId = context.session?.sessionId;
        if (!sessionId) return;
        background(b, 'ready', async () => {
          const { connected } = await b.matcher.ready(sessionId, context.userId);
          if (connected && self.getSnapshot().status === 'active') self.send({ type: 'session.connected', sessionId });
        });
      },
      closeInBackground: ({ context }, p) =>
        background(b, 'close', () => b.matcher.close(p.sessionId, context.userId, p.reason)),
      leave: ({ context }, reason) =>
        background(b, 'leave', () => b.matcher.leave(context.userId, context.conn, reason)),
      fileReport: ({ context }, p) =>
        b.moderation.report({ ...p, reporter: context.userId, reporterDevice: context.device }),
      emitBanned: ({ context }) => b.out.send(context.userId, bannedFrame(b.moderation.banOf(context), b.now())),
      closeSocket: ({ context }, p) => b.out.closeSocket(context.userId, p.code, p.reason),
      release: ({ context }) => b.out.release(context.userId, context.conn),
      stampSince: assign({ since: () => b.now() }),
    },
    guards: {
      isBanned: ({ context }) => b.moderation.banOf(context) !== null,
      heartbeatSilent: ({ context }) => silentFor(context.userId) >= b.timers.heartbeatTimeoutMs,
    },
    delays: {
      readyTimeout: b.timers.readyTimeoutMs,
      resumeGrace: b.timers.resumeGraceMs,
    },
  });
}
