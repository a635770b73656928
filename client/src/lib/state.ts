/**
 * The client's state, events and commands: plain data and two small pure helpers, no I/O.
 * `reducer.ts` is the reducer that moves between them; `store.ts` feeds it and carries out the
 * commands.
 */
import type { ClientFrame, Mode, ServerFrame } from '../../../server/src/protocol.ts';
import type { ChallengeOutcome } from './api.ts';
import { type Ban, type Entry, unknownEntry } from './entry.ts';
import type { PowTask } from './pow/altcha.ts';
import { initialShield, type SafeConfig, type Shield } from './safety/shield.ts';

/** The session as the server last told us (mirrors PROTOCOL.md's per-user states). */
export type Phase = 'idle' | 'waiting' | 'matched' | 'inCall';

/** The WebSocket: connecting the first time, open, down and retrying, or given up for good. */
export type Link = 'connecting' | 'open' | 'reconnecting' | 'closed';

/** Our own camera and microphone. */
export type Devices = 'off' | 'requesting' | 'on' | 'denied' | 'missing' | 'failed';

/** The LiveKit connection of the current session. */
export type Media = 'none' | 'connecting' | 'connected' | 'reconnecting' | 'failed';

export interface ChatLine {
  id: number;
  from: 'me' | 'peer' | 'system';
  text: string;
}

/** The session a `matched` frame named (the frame without its type). */
export type CurrentSession = Omit<Extract<ServerFrame, { type: 'matched' }>, 'type'>;

export interface Wish {
  mode: Mode;
  interests: string[];
}

/** The bot check being solved: `task` is null when the server's challenge is not one we can solve. */
export interface Challenge {
  task: PowTask | null;
  status: 'solving' | 'failed';
  /** Answers tried so far, and the share of the whole search (0..1) when the challenge says how big it is. */
  tried: number;
  share: number | null;
  error: string | null;
}

/** Getting in: what `GET /api/entry` said, and the bot check when one is asked for. */
export interface Gate {
  /** The server answered the entry check (or could not): until then nothing is shown. */
  checked: boolean;
  adult: boolean;
  banned: Ban | null;
  challenge: Challenge | null;
  /** Bot checks solved since the last `hello`: a server that keeps asking is not asked forever. */
  attempts: number;
  safeConfig: SafeConfig;
}

/** Over the skip/enqueue limit: back in the queue by itself at `until` (local ms), with `wish`. */
export interface Cooldown {
  until: number;
  wish: Wish;
}

export interface State {
  link: Link;
  gate: Gate;
  cooldown: Cooldown | null;
  /** We asked to be queued (enqueue, skip, report) and no `waiting` or `matched` answered yet. */
  queueAsk: boolean;
  /** Safe mode's verdict on the stranger's video. */
  shield: Shield;
  userId: string | null;
  /** Is media available on the server (hello.video)? */
  video: boolean;
  online: number | null;
  phase: Phase;
  /** What the user asked for last: re-sent when a reconnect lost the queue place or the session. */
  wish: Wish | null;
  /** A start waiting for the camera and microphone to be granted. */
  pendingStart: Wish | null;
  /** Local clock time the current wait began (the server's `since` may be on another clock). */
  waitingSince: number | null;
  session: CurrentSession | null;
  /** The media room we are in (or joining): survives a resumed `matched` for the same session. */
  joinedRoom: string | null;
  lines: ChatLine[];
  nextLineId: number;
  peerTyping: boolean;
  meTyping: boolean;
  devices: Devices;
  deviceError: string | null;
  media: Media;
  /** The stranger's video is on screen; its connection was rated lost; the browser blocked sound. */
  peerVideo: boolean;
  peerLost: boolean;
  audioBlocked: boolean;
  micOn: boolean;
  cameraOn: boolean;
  /** The user ended the last chat: show the after-end screen while idle. */
  afterEnd: boolean;
  /** A transient message for the user (errors the server reported, refusals). */
  notice: string | null;
  /** First Esc press of a two-press skip (local ms). */
  skipArmedAt: number | null;
  /** After a reconnect: which of waiting/matched we had, until the server's answer to our probe. */
  resuming: { had: Phase; seen: boolean } | null;
}

/** Getting in: the entry check, the 18+ confirmation, the bot check, the skip limit's cool-down. */
export type GateEvent =
  | { type: 'boot' }
  | { type: 'entry'; entry: Entry | null; refused?: boolean }
  | { type: 'confirmAdult' }
  | { type: 'solveProgress'; tried: number; share: number | null }
  | { type: 'solved'; outcome: ChallengeOutcome; error?: string }
  | { type: 'retryChallenge' }
  | { type: 'cooldownOver'; now: number }
  | { type: 'cancelCooldown' };

/** Safe mode: the user's toggle, the model, each frame's scores, and "show it anyway". */
export type SafetyEvent =
  | { type: 'safeMode'; on: boolean; save?: boolean }
  | { type: 'model'; ready: boolean; error?: string }
  | { type: 'scored'; epoch: number; scores: Record<string, number> }
  | { type: 'reveal' };

/** The user in a session, and the media's reports. */
export type UserEvent =
  | { type: 'start'; wish: Wish }
  | { type: 'preview' }
  | { type: 'devices'; devices: Devices; error?: string }
  | { type: 'cancel' }
  | { type: 'skip' }
  | { type: 'end' }
  | { type: 'report'; reason: string }
  | { type: 'say'; text: string }
  | { type: 'typing'; typing: boolean }
  | { type: 'escape'; now: number }
  | { type: 'again' }
  | { type: 'home' }
  | { type: 'joined'; sessionId: string }
  | { type: 'joinFailed'; sessionId: string; error: string }
  | { type: 'media'; media: Media }
  | { type: 'mediaInfo'; peerVideo?: boolean; peerLost?: boolean; audioBlocked?: boolean }
  | { type: 'toggleMic' }
  | { type: 'toggleCamera' }
  | { type: 'dismiss' };

/** Server frames arrive through `frame`; everything else is the user, the socket, the media or HTTP. */
export type Event =
  | { type: 'frame'; frame: ServerFrame; now: number }
  | { type: 'link'; link: Link; resumed?: boolean; reason?: string }
  | GateEvent
  | SafetyEvent
  | UserEvent;

/** What the reducer asks the outside world to do, in order. */
export type Command =
  | { kind: 'send'; frame: ClientFrame }
  | { kind: 'requestDevices' }
  | { kind: 'join'; sessionId: string; url: string; token: string }
  | { kind: 'leave' }
  | { kind: 'setMic'; on: boolean }
  | { kind: 'setCamera'; on: boolean }
  | { kind: 'mark'; name: 'matched' | 'connected'; sessionId: string }
  | { kind: 'fetchEntry' }
  | { kind: 'confirmAdult' }
  | { kind: 'solve'; task: PowTask }
  | { kind: 'connect' }
  | { kind: 'after'; ms: number; event: 'cooldownOver' }
  | { kind: 'loadModel' }
  | { kind: 'saveSafeMode'; on: boolean };

/** A ping `t` no real clock produces: its pong tells us the server has answered everything before it. */
export const RESUME_PROBE = -1;

/** Two Esc presses within this long skip (as Omegle did). */
export const SKIP_CONFIRM_MS = 2000;

export function initialState(): State {
  return {
    link: 'connecting',
    gate: {
      checked: false,
      adult: false,
      banned: null,
      challenge: null,
      attempts: 0,
      safeConfig: unknownEntry().safeMode,
    },
    cooldown: null,
    queueAsk: false,
    shield: initialShield(),
    userId: null,
    video: false,
    online: null,
    phase: 'idle',
    wish: null,
    pendingStart: null,
    waitingSince: null,
    session: null,
    joinedRoom: null,
    lines: [],
    nextLineId: 1,
    peerTyping: false,
    meTyping: false,
    devices: 'off',
    deviceError: null,
    media: 'none',
    peerVideo: false,
    peerLost: false,
    audioBlocked: false,
    micOn: true,
    cameraOn: true,
    afterEnd: false,
    notice: null,
    skipArmedAt: null,
    resuming: null,
  };
}

/** What the root element's `data-state` says (DESIGN.md's contract). */
export function dataState(s: State): 'idle' | 'waiting' | 'matched' | 'inCall' | 'disconnected' {
  return s.link === 'open' ? s.phase : 'disconnected';
}

/** Chat lines kept on screen; older ones scroll away for good. */
const MAX_LINES = 500;

export function addLine(s: State, from: 'me' | 'peer' | 'system', text: string): State {
  const lines = [...s.lines, { id: s.nextLineId, from, text }];
  return { ...s, lines: lines.length > MAX_LINES ? lines.slice(-MAX_LINES) : lines, nextLineId: s.nextLineId + 1 };
}

/** Sends `enqueue` for `wish`: the wish is remembered, and the answer awaited (a refusal means the skip limit). */
export function enqueue(s: State, wish: Wish, commands: Command[]): State {
  commands.push({ kind: 'send', frame: { type: 'enqueue', ...wish } });
  return { ...s, wish, queueAsk: true };
}

/** Leaves the media room, if we are in one. */
export function leaveMedia(s: State, commands: Command[]): State {
  if (s.joinedRoom === null) return s;
  commands.push({ kind: 'leave' });
  return { ...s, joinedRoom: null, media: 'none', peerVideo: false, peerLost: false, audioBlocked: false };
}
