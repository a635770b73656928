/**
 * The client's one store, as a pure reducer: (state, event) → (state, commands). Server frames are
 * the authority on the session (the phase only ever moves on a frame); the user's intents become
 * frames and media commands; nothing here touches the network, the clock or the DOM.
 */
import type { LeaveReason, ServerFrame } from '../../../server/src/protocol.ts';
import { gate } from './gate.ts';
import { intent } from './intents.ts';
import { newStranger, safety } from './safe-mode.ts';
import {
  addLine,
  type Command,
  type Event,
  enqueue,
  type GateEvent,
  leaveMedia,
  RESUME_PROBE,
  type SafetyEvent,
  type State,
  type UserEvent,
} from './state.ts';

export interface Step {
  state: State;
  commands: Command[];
}

const PEER_LEFT: Record<LeaveReason, string> = {
  skip: 'Stranger skipped.',
  end: 'Stranger ended the chat.',
  disconnect: 'Stranger disconnected.',
  report: 'Stranger left.',
  timeout: 'The connection to the stranger could not be set up.',
};

const ERRORS: Record<string, string> = {
  rate_limited: 'Slow down a little: too many messages at once.',
  unavailable: 'Matching is unavailable right now. Try again in a moment.',
};

const GATE_EVENTS = new Set<string>([
  'boot',
  'entry',
  'confirmAdult',
  'solveProgress',
  'solved',
  'retryChallenge',
  'cooldownOver',
  'cancelCooldown',
]);
const SAFETY_EVENTS = new Set<string>(['safeMode', 'model', 'scored', 'reveal']);

export function reduce(s: State, e: Event): Step {
  const commands: Command[] = [];
  if (e.type === 'frame') return { state: onFrame(s, e.frame, e.now, commands), commands };
  if (e.type === 'link') return { state: onLink(s, e.link, e.resumed === true, e.reason, commands), commands };
  if (GATE_EVENTS.has(e.type)) return { state: gate(s, e as GateEvent, commands), commands };
  if (SAFETY_EVENTS.has(e.type)) return { state: safety(s, e as SafetyEvent, commands), commands };
  return { state: intent(s, e as UserEvent, commands), commands };
}

function onLink(s: State, link: State['link'], resumed: boolean, reason: string | undefined, out: Command[]): State {
  if (link === 'open') {
    const had = s.phase;
    const resuming = resumed && had !== 'idle' ? { had, seen: false } : null;
    return { ...s, link, resuming, notice: null };
  }
  const down = { ...s, link, peerTyping: false, meTyping: false, skipArmedAt: null };
  if (link === 'closed') return { ...leaveMedia(down, out), notice: reason ?? 'Disconnected.' };
  return down;
}

function onFrame(s: State, f: ServerFrame, now: number, out: Command[]): State {
  const current = (id: string) => s.session?.sessionId === id;
  switch (f.type) {
    case 'hello':
      return hello(s, f, out);
    case 'stats':
      return { ...s, online: f.online };
    case 'waiting':
      return {
        ...leaveMedia(s, out),
        phase: 'waiting',
        waitingSince: now,
        session: null,
        peerTyping: false,
        meTyping: false,
        skipArmedAt: null,
        afterEnd: false,
        queueAsk: false,
        cooldown: null,
        resuming: s.resuming && { ...s.resuming, seen: true },
      };
    case 'matched':
      return matched(s, f, out);
    case 'connected':
      if (!current(f.sessionId)) return s;
      out.push({ kind: 'mark', name: 'connected', sessionId: f.sessionId });
      return { ...s, phase: 'inCall' };
    case 'message':
      return current(f.sessionId) ? { ...addLine(s, 'peer', f.text), peerTyping: false } : s;
    case 'typing':
      return current(f.sessionId) ? { ...s, peerTyping: f.typing } : s;
    case 'peerLeft': {
      if (!current(f.sessionId)) return s;
      // When our own video had failed, the "disconnect" was most likely ours.
      const ours = f.reason === 'disconnect' && s.media === 'failed';
      const text = ours ? 'Your video connection dropped, so the chat ended.' : PEER_LEFT[f.reason];
      return { ...addLine(leaveMedia(s, out), 'system', text), session: null, peerTyping: false };
    }
    case 'ended':
      return ended(s, f, out);
    case 'idle':
      return { ...leaveMedia(s, out), phase: 'idle', session: null, waitingSince: null, pendingStart: null };
    case 'pong':
      return f.t === RESUME_PROBE ? probed(s, out) : s;
    case 'error':
      return refused(s, f, now, out);
  }
}

function refused(s: State, f: Extract<ServerFrame, { type: 'error' }>, now: number, out: Command[]): State {
  const wait = f.retryAfterMs;
  if (f.code === 'banned') {
    const banned = { until: wait === undefined ? null : now + wait, reason: f.message };
    return { ...leaveMedia(s, out), gate: { ...s.gate, banned }, cooldown: null, pendingStart: null };
  }
  // Refused right after asking to be queued: that is the skip/enqueue limit, not a chat flood.
  if (f.code === 'rate_limited' && wait !== undefined && s.wish && (s.queueAsk || s.session === null)) {
    out.push({ kind: 'after', ms: wait, event: 'cooldownOver' });
    return { ...s, queueAsk: false, notice: null, cooldown: { until: now + wait, wish: s.wish } };
  }
  const text = ERRORS[f.code] ?? (f.code === 'stale_session' || f.code === 'bad_state' ? null : f.message);
  return text === null ? s : { ...s, notice: text };
}

function hello(s: State, f: Extract<ServerFrame, { type: 'hello' }>, out: Command[]): State {
  const next = { ...s, userId: f.userId, video: f.video, gate: { ...s.gate, attempts: 0 } };
  if (!s.resuming) return next;
  if (s.userId !== null && s.userId !== f.userId) return lost(next, out);
  // Frames are answered in order: once this ping's pong is back, any re-sent `waiting` or
  // `matched` for a session the server still holds has arrived before it.
  out.push({ kind: 'send', frame: { type: 'ping', t: RESUME_PROBE } });
  return next;
}

/** After a reconnect the server no longer had our queue place or session: ask again. */
function lost(s: State, out: Command[]): State {
  const had = s.resuming?.had;
  let next: State = { ...s, resuming: null };
  if (had === 'matched' || had === 'inCall') {
    next = addLine(leaveMedia(next, out), 'system', 'Your connection dropped and the chat ended.');
    next = { ...next, session: null, phase: 'idle', peerTyping: false };
  }
  return next.wish ? enqueue(next, next.wish, out) : next;
}

function probed(s: State, out: Command[]): State {
  if (!s.resuming) return s;
  return s.resuming.seen ? { ...s, resuming: null } : lost(s, out);
}

function matched(s: State, f: Extract<ServerFrame, { type: 'matched' }>, out: Command[]): State {
  const session = {
    sessionId: f.sessionId,
    mode: f.mode,
    commonInterests: f.commonInterests,
    room: f.room,
    token: f.token,
    livekitUrl: f.livekitUrl,
  };
  const resumed = s.session?.sessionId === f.sessionId;
  let next: State = { ...s, resuming: s.resuming && { ...s.resuming, seen: true } };
  if (!resumed) {
    next = leaveMedia(next, out);
    const common = f.commonInterests.length > 0 ? ` You both like: ${f.commonInterests.join(', ')}.` : '';
    // A new stranger gets a fresh log; only how the last chat ended stays, above the greeting,
    // since the next match can come within milliseconds of it.
    const last = s.lines.at(-1);
    const kept = s.session === null && last?.from === 'system' ? [last] : [];
    next = { ...next, lines: kept, peerTyping: false, meTyping: false, afterEnd: false, skipArmedAt: null };
    if (f.mode === 'video') next = newStranger(next, out);
    next = addLine(next, 'system', `You're now chatting with a random stranger. Say hi!${common}`);
    out.push({ kind: 'mark', name: 'matched', sessionId: f.sessionId });
  }
  next = { ...next, phase: 'matched', session, queueAsk: false, cooldown: null };
  const canJoin = f.mode === 'video' && f.token !== null && f.livekitUrl !== null && f.room !== null;
  const inRoom = next.joinedRoom === f.room && next.media !== 'failed';
  if (canJoin && !inRoom) {
    out.push({ kind: 'join', sessionId: f.sessionId, url: f.livekitUrl as string, token: f.token as string });
    return { ...next, joinedRoom: f.room, media: 'connecting' };
  }
  out.push({ kind: 'send', frame: { type: 'ready', sessionId: f.sessionId } });
  if (f.mode === 'video' && !canJoin && !resumed) {
    return addLine(next, 'system', 'Video is unavailable right now: this chat is text only.');
  }
  return next;
}

function ended(s: State, f: Extract<ServerFrame, { type: 'ended' }>, out: Command[]): State {
  if (s.session?.sessionId !== f.sessionId) return s;
  const next = { ...leaveMedia(s, out), session: null, peerTyping: false };
  if (f.reason === 'end') return { ...addLine(next, 'system', 'You ended the chat.'), afterEnd: true };
  return addLine(next, 'system', f.reason === 'report' ? 'You reported the stranger.' : 'You skipped.');
}
