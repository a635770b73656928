/**
 * One user's session actor: the states of PROTOCOL.md and every transition between them.
 *
 * Pure: it imports only xstate and types. Side effects are named here and bound with `provide()`
 * (see effects.ts); timers are named delays, so tests drive them with a simulated clock.
 *
 * States: idle → waiting (claiming, queued, deferred) → paired (matched → inCall); skipped
 * (closing our side of a session and queueing again, in one matcher call); suspended (socket
 * gone, held for resume); mediaLost (the system closed the session because our own media left:
 * settling whether the socket goes too);
 * disconnected (final); handedOver (final: the user resumed on another instance, which took the
 * session over).
 *
 * Two choices made for speed and memory, measured (loadtest/RESULTS.md):
 * - No timer per user for the heartbeat (a timer re-armed on every frame cost a fifth of the CPU,
 *   and an idle user's timer a tenth of its memory): the gateway notes when each frame came and,
 *   once a second, sends `heartbeat.check` to users silent that long; the machine decides
 *   (`heartbeatSilent`) and disconnects.
 * - Calls to the matcher are effects whose results come back as events tagged with `seq`, rather
 *   than invoked promise actors (a child actor per call); a result for an older call is ignored.
 * - A skip (or report, or ready timeout) closes the session and queues the user again in one
 *   claim (`Ticket.closing`): one round trip to the store and one result to handle instead of two.
 *   So `skipped` is a wait whose claim is in flight: it answers what `waiting.claiming` answers.
 */
import { assign, setup } from 'xstate';
import type { ClaimResult, PeerEvent, SessionInfo } from '../ports.ts';
import { type EndReason, type LeaveReason, type Mode, PROTOCOL_TIMERS, type ServerFrame } from '../protocol.ts';
import type { ClientEvent } from './client-events.ts';

export interface SessionInput {
  userId: string;
  /** This connection's id; a resumed socket keeps it, a new connection of the same user does not. */
  conn: string;
  /** The device (its cookie's id) and the keyed hash of its address: what limits and bans hold on. */
  device: string;
  ipHash: string;
}

export interface SessionContext {
  userId: string;
  conn: string;
  device: string;
  ipHash: string;
  /** 'enqueue' until the first claim of a wait the user started with Start (counted against its limit). */
  origin: 'enqueue' | 'again';
  mode: Mode;
  interests: string[];
  /** When the user last entered the queue (ms epoch). */
  since: number;
  session: SessionInfo | null;
  /** The session being closed by this side (skip, report, ready timeout). */
  closing: { sessionId: string; reason: LeaveReason } | null;
  /** Hint from the last claim: when a deferred candidate may become compatible. */
  retryInMs: number | null;
  /**
   * A session that ended before our own claim result named it: the partner's leave can overtake
   * the reply of the claim that formed the session (it is delivered in fewer hops).
   */
  overtaken: string | null;
  /** Tags the matcher call in flight; results carrying another tag are stale. */
  seq: number;
}

export type { ClientEvent } from './client-events.ts';

export type SessionEvent =
  | ClientEvent
  | PeerEvent
  | { type: 'socket.closed' }
  | { type: 'socket.resumed' }
  /**
   * The store may have changed behind our back (the bus reconnected, so messages may have been
   * missed, or Redis restarted empty): claim again. Sent to every waiting user by the server.
   */
  | { type: 'queue.recheck' }
  /** The matcher answered the claim tagged `seq`. */
  | { type: 'claim.done'; seq: number; result: ClaimResult }
  | { type: 'claim.failed'; seq: number }
  /** The gateway found this user silent for the heartbeat timeout: look again and decide. */
  | { type: 'heartbeat.check' }
  /** The instance is draining: leave everything now, without a resume grace. */
  | { type: 'server.shutdown' }
  /** This new connection resumed a session another instance held; it was taken over (Handover). */
  | { type: 'session.adopted'; session: SessionInfo }
  /** This device or its address was banned just now: out of the queue and any session, told why. */
  | { type: 'moderation.banned' };

/**
 * The machine's own delay: PROTOCOL.md's timers (ready timeout, resume grace) come from
 * protocol.ts, and the server binds the configured values with `provide()`.
 */
const OWN_DELAYS = {
  /**
   * After our own media left (a `media.left`), how long to wait for the socket to close too before
   * re-queueing: a closing tab drops its media and its socket together, in either order, and a user
   * whose tab is gone must not be queued again as a ghost.
   */
  mediaSettle: 1_500,
};

type Ctx = { context: SessionContext; event: SessionEvent };
type WithSession = Extract<SessionEvent, { sessionId: string }>;

const hasSessionId = (event: SessionEvent): event is WithSession => 'sessionId' in event;
const currentId = (context: SessionContext) => context.session?.sessionId;
const err = (code: 'bad_state' | 'stale_session' | 'unavailable' | 'banned', message: string): ServerFrame => ({
  type: 'error',
  code,
  message,
});

/** Frames answered in any state unless a state handles them first. */
const staleSession = {
  actions: {
    type: 'emit',
    params: ({ event }: Ctx) =>
      err('stale_session', `session ${hasSessionId(event) ? event.sessionId : ''} is not your current session`),
  },
} as const;

/** What a chat relay carries; the binding stamps the time and addresses the partner. */
export type RelayParams =
  | { kind: 'message'; sessionId: string; text: string }
  | { kind: 'typing'; sessionId: string; typing: boolean };

const sid = (context: SessionContext) => currentId(context) ?? '';
const closing =
  (reason: LeaveReason) =>
  ({ context }: { context: SessionContext }) => ({ sessionId: sid(context), reason });
const ended =
  (reason: EndReason) =>
  ({ context }: { context: SessionContext }): ServerFrame => ({ type: 'ended', sessionId: sid(context), reason });
/** Our own skip or report: acknowledged with `ended`, and the session handed to `skipped` to close. */
const leaveAs = (reason: 'skip' | 'report') =>
  [
    { type: 'emit', params: ended(reason) },
    { type: 'setClosing', params: closing(reason) },
  ] as const;

const unavailable = () => err('unavailable', 'matching is unavailable; try again shortly');
const idleFrame = (): ServerFrame => ({ type: 'idle' });
/** The store failed us: say so, and that the user is back in idle (nothing was lost, nothing queued). */
const refusedToIdle = [
  { type: 'emit', params: unavailable },
  { type: 'emit', params: idleFrame },
] as const;
const waitingFrame = ({ context }: { context: SessionContext }): ServerFrame => ({
  type: 'waiting',
  since: context.since,
});
/** Every way into a wait (`waiting`, or `skipped`, which keeps the session it closes): a new `since`, and `waiting` said. */
const beginWait = ['stampSince', 'forgetSession', { type: 'emit', params: waitingFrame }] as const;
const enterWaiting = [...beginWait, 'forgetClosing'] as const;

/** What the result of a claim does, the claim made by `waiting.claiming` or by `skipped`. */
const claimOutcomes = {
  'claim.done': [
    {
      // Our claim paired us, but the partner has already left that session: claim again,
      // silently (the user never heard of it).
      guard: 'isFreshOvertaken',
      target: '#user.waiting.claiming',
      reenter: true,
      actions: 'forgetOvertaken',
    },
    { guard: 'isFreshMatch', target: '#user.paired', actions: ['takeClaimedSession', 'matchFound'] },
    {
      // Skipping too fast, or pressing Start too often: not queued; the client counts down.
      guard: 'isFreshLimited',
      target: '#user.idle',
      actions: [
        {
          type: 'emit',
          params: ({ event }: Ctx): ServerFrame => ({
            type: 'error',
            code: 'rate_limited',
            message: 'too many skips or starts: wait a moment before meeting someone new',
            retryAfterMs: event.type === 'claim.done' && event.result.kind === 'limited' ? event.result.retryInMs : 0,
          }),
        },
        { type: 'emit', params: idleFrame },
      ],
    },
    { guard: 'isFreshDeferral', target: '#user.waiting.deferred', actions: 'noteRetry' },
    { guard: 'isFresh', target: '#user.waiting.queued' },
  ],
  'claim.failed': { guard: 'isFresh', target: '#user.idle', actions: refusedToIdle },
} as const;

/** What a waiting user answers, in the queue or with its claim in flight (`skipped` too). */
const whileWaiting = {
  'queue.matched': {
    // A claim that took us from an earlier wait (we cancelled and queued again meanwhile):
    // not ours to take; our own leave closes that session.
    guard: 'isThisWait',
    target: '#user.paired',
    actions: ['takeOfferedSession', 'matchFound'],
  },
  'client.cancel': {
    target: '#user.idle',
    actions: [
      { type: 'leave', params: 'end' },
      { type: 'emit', params: idleFrame },
    ],
  },
  'socket.resumed': { actions: { type: 'emit', params: waitingFrame } },
  'socket.closed': '#user.disconnected',
  // A session we have not heard of yet ended (our claim's reply is still on its way): remembered.
  'peer.left': { actions: 'noteOvertaken' },
} as const;

export const sessionMachine = setup({
  types: {
    context: {} as SessionContext,
    events: {} as SessionEvent,
    input: {} as SessionInput,
  },
  actions: {
    /** Sends one frame to this user's socket. */
    emit: (_: unknown, _frame: ServerFrame) => {},
    /** A partner was found (metrics and logs: time to match). */
    matchFound: () => {},
    /** Sends `matched` for the current session, with a freshly minted media grant. */
    emitMatched: () => {},
    /**
     * Claim-or-enqueue in the matcher, closing `closing` first in the same call when given;
     * answers `claim.done` or `claim.failed` with the current `seq`.
     */
    startClaim: (_: unknown, _p?: { closing: { sessionId: string; reason: LeaveReason } | null }) => {},
    /** Relays a chat event to the partner, wherever it is connected. */
    relay: (_: unknown, _p: RelayParams) => {},
    /** Marks this side ready; the binding sends `session.connected` back when both are. */
    markReady: () => {},
    /** Closes a session without waiting (used by `end`, where the user goes idle at once). */
    closeInBackground: (_: unknown, _p: { sessionId: string; reason: LeaveReason }) => {},
    /** Leaves the queue and any session (cancel, disconnect). */
    leave: (_: unknown, _reason: LeaveReason) => {},
    /** Files a report about the partner. */
    fileReport: (_: unknown, _p: { sessionId: string; reported: string; reportedDevice: string; reason: string }) => {},
    /** Tells the user it is banned, and until when. */
    emitBanned: () => {},
    /** Closes the socket from the server side (heartbeat timeout, shutdown). */
    closeSocket: (_: unknown, _p: { code: number; reason: string }) => {},
    /** The actor is finished: the gateway forgets it. */
    release: () => {},
    /** Hands the current session over to `closing` (null: the session is simply dropped). */
    setClosing: assign((_, closing: { sessionId: string; reason: LeaveReason } | null) => ({ closing, session: null })),
    forgetSession: assign({ session: null, retryInMs: null, overtaken: null }),
    forgetClosing: assign({ closing: null }),
    forgetOvertaken: assign({ overtaken: null }),
    noteOvertaken: assign({ overtaken: ({ event }) => (event.type === 'peer.left' ? event.sessionId : null) }),
    takeClaimedSession: assign({
      session: ({ event }) =>
        event.type === 'claim.done' && event.result.kind === 'matched' ? event.result.session : null,
    }),
    takeOfferedSession: assign({ session: ({ event }) => (event.type === 'queue.matched' ? event.session : null) }),
    noteRetry: assign({
      retryInMs: ({ event }) =>
        event.type === 'claim.done' && event.result.kind === 'queued' ? event.result.retryInMs : null,
    }),
    /** Stamps `since` from the clock; bound to the real or the simulated clock. */
    stampSince: assign({ since: 0 }),
    /** Tags a new matcher call. */
    nextSeq: assign({ seq: ({ context }) => context.seq + 1 }),
    /** The partner resumed on another instance: chat is relayed there now. */
    notePartnerMoved: assign({
      session: ({ context, event }) =>
        context.session && event.type === 'peer.moved'
          ? { ...context.session, partnerInstance: event.instance }
          : context.session,
    }),
  },
  guards: {
    isCurrent: ({ context, event }) => hasSessionId(event) && event.sessionId === currentId(context),
    /** A `queue.matched` for the wait we are in now (not for one we have left). */
    isThisWait: ({ context, event }) => event.type === 'queue.matched' && event.since === context.since,
    isBanned: () => false,
    /** The matcher result belongs to the call in flight (results of older calls are ignored). */
    isFresh: ({ context, event }) => 'seq' in event && event.seq === context.seq,
    /** A fresh claim result that queued us with a hint to try again later. */
    isFreshDeferral: ({ context, event }) =>
      event.type === 'claim.done' &&
      event.seq === context.seq &&
      event.result.kind === 'queued' &&
      event.result.retryInMs !== null,
    /** A fresh claim result naming a session that ended before we heard of it. */
    isFreshOvertaken: ({ context, event }) =>
      event.type === 'claim.done' &&
      event.seq === context.seq &&
      event.result.kind === 'matched' &&
      event.result.session.sessionId === context.overtaken,
    /** A fresh claim result that refused to queue us: the device is over its skip or enqueue limit. */
    isFreshLimited: ({ context, event }) =>
      event.type === 'claim.done' && event.seq === context.seq && event.result.kind === 'limited',
    /** A fresh claim result that paired us. */
    isFreshMatch: ({ context, event }) =>
      event.type === 'claim.done' && event.seq === context.seq && event.result.kind === 'matched',
    /** No client frame for the heartbeat timeout; bound to the gateway's record of the last frame. */
    heartbeatSilent: () => false,
  },
  delays: {
    readyTimeout: PROTOCOL_TIMERS.readyTimeoutMs,
    resumeGrace: PROTOCOL_TIMERS.resumeGraceMs,
    mediaSettle: OWN_DELAYS.mediaSettle,
    retryClaim: ({ context }) => context.retryInMs ?? 0,
  },
}).createMachine({
  id: 'user',
  context: ({ input }) => ({
    userId: input.userId,
    conn: input.conn,
    device: input.device,
    ipHash: input.ipHash,
    origin: 'again',
    mode: 'video',
    interests: [],
    since: 0,
    session: null,
    closing: null,
    retryInMs: null,
    overtaken: null,
    seq: 0,
  }),
  initial: 'idle',
  on: {
    'client.ping': {
      actions: {
        type: 'emit',
        params: ({ event }) => (event.t === undefined ? { type: 'pong' } : { type: 'pong', t: event.t }),
      },
    },
    'client.enqueue': {
      actions: { type: 'emit', params: () => err('bad_state', 'enqueue is only accepted when idle') },
    },
    'client.cancel': {
      actions: { type: 'emit', params: () => err('bad_state', 'cancel is only accepted while waiting') },
    },
    'client.ready': staleSession,
    'client.message': staleSession,
    'client.typing': staleSession,
    'client.skip': staleSession,
    'client.end': staleSession,
    'client.report': staleSession,
    'heartbeat.check': {
      guard: 'heartbeatSilent',
      target: '.disconnected',
      actions: { type: 'closeSocket', params: { code: 4000, reason: 'heartbeat timeout' } },
    },
    'server.shutdown': {
      target: '.disconnected',
      actions: { type: 'closeSocket', params: { code: 1001, reason: 'server shutting down' } },
    },
    'moderation.banned': {
      target: '.idle',
      actions: [{ type: 'leave', params: 'end' }, 'emitBanned', { type: 'emit', params: idleFrame }],
    },
  },
  states: {
    idle: {
      on: {
        'client.enqueue': [
          { guard: 'isBanned', actions: 'emitBanned' },
          {
            target: 'waiting',
            actions: [
              assign({
                mode: ({ event }) => event.mode,
                interests: ({ event }) => event.interests,
                origin: 'enqueue',
              }),
              ...enterWaiting,
            ],
          },
        ],
        'session.adopted': {
          target: 'paired',
          actions: assign({ session: ({ event }) => event.session }),
        },
        'socket.closed': 'disconnected',
      },
    },
    // Entered with `enterWaiting` (a new `since`, `waiting` said); `skipped` enters its substates
    // with its own claim's result, in the wait it began.
    waiting: {
      initial: 'claiming',
      states: {
        claiming: {
          entry: ['nextSeq', 'startClaim', assign({ origin: 'again' })],
          on: claimOutcomes,
        },
        // In the queue; someone who claims us will say so (`queue.matched`). No timer: a waiting
        // user costs nothing until then.
        queued: {
          on: { 'queue.recheck': 'claiming' },
        },
        // In the queue, but a candidate was deferred (interests not yet fallen back, or a recent
        // skip): claim again when it may have become compatible.
        deferred: {
          after: { retryClaim: 'claiming' },
          on: { 'queue.recheck': 'claiming' },
        },
      },
      on: whileWaiting,
    },
    // In a session: `matched` until both sides are ready, then `inCall`. Everything a user can do
    // inside a session is the same in both, so it is said once, here.
    paired: {
      initial: 'matched',
      on: {
        'client.ready': { guard: 'isCurrent', actions: 'markReady' },
        'client.message': {
          guard: 'isCurrent',
          actions: {
            type: 'relay',
            params: ({ event }) => ({ kind: 'message', sessionId: event.sessionId, text: event.text }),
          },
        },
        'client.typing': {
          guard: 'isCurrent',
          actions: {
            type: 'relay',
            params: ({ event }) => ({ kind: 'typing', sessionId: event.sessionId, typing: event.typing }),
          },
        },
        'client.skip': { guard: 'isCurrent', target: 'skipped', actions: leaveAs('skip') },
        'client.report': {
          guard: 'isCurrent',
          target: 'skipped',
          actions: [
            {
              type: 'fileReport',
              params: ({ context, event }) => ({
                sessionId: sid(context),
                reported: context.session?.partnerId ?? '',
                reportedDevice: context.session?.partnerDevice ?? '',
                reason: event.reason,
              }),
            },
            ...leaveAs('report'),
          ],
        },
        'client.end': {
          guard: 'isCurrent',
          target: 'idle',
          actions: [
            { type: 'closeInBackground', params: closing('end') },
            { type: 'emit', params: ended('end') },
            { type: 'emit', params: idleFrame },
            { type: 'setClosing', params: () => null },
          ],
        },
        'peer.left': {
          guard: 'isCurrent',
          target: 'waiting',
          actions: [
            {
              type: 'emit',
              params: ({ event }) => ({ type: 'peerLeft', sessionId: event.sessionId, reason: event.reason }),
            },
            ...enterWaiting,
          ],
        },
        'peer.message': {
          guard: 'isCurrent',
          actions: {
            type: 'emit',
            params: ({ event }) => ({ type: 'message', sessionId: event.sessionId, text: event.text, at: event.at }),
          },
        },
        'peer.typing': {
          guard: 'isCurrent',
          actions: {
            type: 'emit',
            params: ({ event }) => ({ type: 'typing', sessionId: event.sessionId, typing: event.typing }),
          },
        },
        'media.left': {
          guard: 'isCurrent',
          target: 'mediaLost',
          actions: { type: 'setClosing', params: closing('disconnect') },
        },
        'peer.moved': { guard: 'isCurrent', actions: 'notePartnerMoved' },
        'session.handedOver': {
          guard: 'isCurrent',
          target: 'handedOver',
          actions: { type: 'closeSocket', params: { code: 4001, reason: 'resumed on another instance' } },
        },
        'socket.closed': 'suspended',
      },
      states: {
        matched: {
          entry: 'emitMatched',
          after: {
            readyTimeout: {
              target: '#user.skipped',
              actions: [
                {
                  type: 'emit',
                  params: ({ context }) => ({ type: 'peerLeft', sessionId: sid(context), reason: 'timeout' }),
                },
                { type: 'setClosing', params: closing('timeout') },
              ],
            },
          },
          on: {
            'session.connected': { guard: 'isCurrent', target: 'inCall' },
            'socket.resumed': { actions: 'emitMatched' },
          },
        },
        inCall: {
          entry: { type: 'emit', params: ({ context }) => ({ type: 'connected', sessionId: sid(context) }) },
          on: {
            // A resumed socket rejoins the media with a fresh token, so it starts from `matched` again.
            'socket.resumed': 'matched',
          },
        },
      },
    },
    // Our side closes the session and we queue again, in one claim: the wait begins now (`waiting`
    // said), and the claim's result takes us on as it would from `waiting.claiming`.
    skipped: {
      entry: [
        ...beginWait,
        'nextSeq',
        { type: 'startClaim', params: ({ context }) => ({ closing: context.closing }) },
        assign({ origin: 'again' }),
      ],
      exit: 'forgetClosing',
      on: { ...whileWaiting, ...claimOutcomes },
    },
    suspended: {
      after: { resumeGrace: 'disconnected' },
      on: {
        'socket.resumed': 'paired',
        'peer.left': { guard: 'isCurrent', target: 'disconnected' },
        // Socket and media both gone: the tab is gone; the session is already closed.
        'media.left': { guard: 'isCurrent', target: 'disconnected' },
        'peer.moved': { guard: 'isCurrent', actions: 'notePartnerMoved' },
        // The user came back on another instance, which has the session now: nothing to leave here.
        'session.handedOver': { guard: 'isCurrent', target: 'handedOver' },
        // No socket, no frames: the resume grace decides, not the heartbeat.
        'heartbeat.check': {},
      },
    },
    mediaLost: {
      after: {
        mediaSettle: {
          target: 'waiting',
          actions: [
            {
              type: 'emit',
              params: ({ context }) => ({
                type: 'peerLeft',
                sessionId: context.closing?.sessionId ?? '',
                reason: 'disconnect',
              }),
            },
            ...enterWaiting,
          ],
        },
      },
      on: { 'socket.closed': 'disconnected' },
    },
    disconnected: {
      type: 'final',
      entry: [{ type: 'leave', params: 'disconnect' }, 'release'],
    },
    // The session lives on, on the instance the user resumed on; this actor only lets go.
    handedOver: {
      type: 'final',
      entry: 'release',
    },
  },
});

/**
 * The protocol's name for a state of this machine (PROTOCOL.md's states, plus `suspended` and
 * `mediaLost`): the top-level state, except inside `paired`, where it is `matched` or `inCall`.
 * Metrics label actors by it.
 */
export function protocolState(value: unknown): string {
  if (typeof value === 'string') return value;
  const [top, child] = Object.entries((value ?? {}) as Record<string, unknown>)[0] ?? ['unknown', null];
  return top === 'paired' && typeof child === 'string' ? child : top;
}
