/**
 * Test helpers for the reducer and its parts (no tests of its own): events in, state and commands
 * out, and the frames and states the tests start from.
 */
import type { ServerFrame } from '../../../server/src/protocol.ts';
import { reduce } from './reducer.ts';
import { type Command, type Event, initialState, type State } from './state.ts';

/**
 * A page that got in: the entry check passed and the user confirmed 18+. Safe mode is off here, so
 * these tests see the session alone; safe-mode.test.ts and gate.test.ts cover what those add.
 */
export function admitted(): State {
  const s = initialState();
  return { ...s, gate: { ...s.gate, checked: true, adult: true }, shield: { ...s.shield, on: false } };
}

/** Feeds events in order; returns the final state and every command issued. */
export function run(events: Event[], from: State = admitted()) {
  let state = from;
  const commands: Command[] = [];
  for (const e of events) {
    const step = reduce(state, e);
    state = step.state;
    commands.push(...step.commands);
  }
  return { state, commands };
}

export const frame = (f: ServerFrame, now = 1000): Event => ({ type: 'frame', frame: f, now });
export const open: Event = { type: 'link', link: 'open' };
export const hello = (video = true, userId = 'u1'): Event =>
  frame({ type: 'hello', userId, resumeToken: 't', protocol: 1, video });
export const matchedVideo = (sessionId = 's1', common: string[] = []): Event =>
  frame({
    type: 'matched',
    sessionId,
    mode: 'video',
    commonInterests: common,
    room: sessionId,
    token: 'jwt',
    livekitUrl: 'ws://lk',
  });
export const matchedText = (sessionId = 's1'): Event =>
  frame({ type: 'matched', sessionId, mode: 'text', commonInterests: [], room: null, token: null, livekitUrl: null });
export const sends = (cs: Command[]) => cs.flatMap((c) => (c.kind === 'send' ? [c.frame] : []));
export const kinds = (cs: Command[]) => cs.map((c) => c.kind);
