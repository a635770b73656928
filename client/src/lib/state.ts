/**
 * The client's state, events and commands: plain data and two small pure helpers, no I/O.
 * `reducer.ts` is the reducer that moves between them; `store.ts` feeds it and carries out the
 * commands.
 */
import type { ClientFrame, Mode, ServerFrame } from '../../../server/src/protocol.ts';

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

export interface CurrentSession {
  sessionId: string;
  mode: Mode;
  commonInterests: string[];
  room: string | null;
  token: string | null;
  livekitUrl: string | null;
}

export interface Wish {
  mode: Mode;
  interests: string[];
}

export interface State {
  link: Link;
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

/** Server frames arrive through `frame`; everything else is the user, the socket or the media. */
export type Event =
  | { type: 'frame'; frame: ServerFrame; now: number }
  | { type: 'link'; link: Link; resumed?: boolean; reason?: string }
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

/** What the reducer asks the outside world to do, in order. */
export type Command =
  | { kind: 'send'; frame: ClientFrame }
  | { kind: 'requestDevices' }
  | { kind: 'join'; sessionId: string; url: string; token: string }
  | { kind: 'leave' }
  | { kind: 'setMic'; on: boolean }
  | { kind: 'setCamera'; on: boolean }
  | { kind: 'mark'; name: 'matched' | 'connected'; sessionId: string };

/** A ping `t` no real clock produces: its pong tells us the server has answered everything before it. */
export const RESUME_PROBE = -1;

/** Two Esc presses within this long skip (as Omegle did). */
export const SKIP_CONFIRM_MS = 2000;

export function initialState(): State {
  return {
    link: 'connecting',
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

/** Leaves the media room, if we are in one. */
export function leaveMedia(s: State, commands: Command[]): State {
  if (s.joinedRoom === null) return s;
  commands.push({ kind: 'leave' });
  return { ...s, joinedRoom: null, media: 'none', peerVideo: false, peerLost: false, audioBlocked: false };
}
