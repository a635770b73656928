/**
 * The one store: the reducer's state in a Solid store, fed by the socket, the media and the UI,
 * with the reducer's commands carried out against the socket and the call. Timing that the reducer
 * leaves to the outside (typing pauses, performance marks) lives here.
 */
import { createStore, reconcile } from 'solid-js/store';
import type { ChallengeOutcome } from './api.ts';
import type { Call } from './call.ts';
import type { Entry } from './entry.ts';
import type { PowTask } from './pow/altcha.ts';
import type { Progress } from './pow/search.ts';
import { reduce } from './reducer.ts';
import type { Loaded } from './safety/classifier.ts';
import type { Socket } from './socket.ts';
import { type Command, type Event, initialState, type State } from './state.ts';

/** Stop showing "typing…" to the stranger after this long without a keystroke. */
export const TYPING_PAUSE_MS = 3000;

export interface Store {
  state: State;
  dispatch(event: Event): void;
  /** A keystroke in the chat box: typing now, and "stopped" after a pause. */
  keystroke(hasText: boolean): void;
}

export interface StoreDeps {
  socket: () => Socket;
  call: Call;
  /** Safe mode's classifier (safety/classifier.ts): loaded on first use. */
  loadModel: () => Promise<Loaded>;
  /** The entry routes (api.ts). */
  api: {
    fetchEntry(): Promise<Entry | null>;
    confirmAdult(): Promise<boolean>;
    submitChallenge(payload: string): Promise<ChallengeOutcome>;
  };
  /** Solves a bot check (pow/solve.ts), reporting progress; resolves with the payload. */
  solve: (task: PowTask, onProgress: (p: Progress) => void) => Promise<string>;
  saveSafeMode: (on: boolean) => void;
}

export function createSessionStore(d: StoreDeps): Store {
  const [state, setState] = createStore<State>(initialState());
  let current = initialState();
  let typingTimer: ReturnType<typeof setTimeout> | undefined;

  const dispatch = (event: Event): void => {
    const step = reduce(current, event);
    current = step.state;
    setState(reconcile(step.state, { key: 'id', merge: true }));
    for (const c of step.commands) run(c);
  };

  const run = (c: Command): void => {
    switch (c.kind) {
      case 'send':
        d.socket().send(c.frame);
        return;
      case 'requestDevices':
        void d.call.requestDevices().then((r) => dispatch({ type: 'devices', ...r }));
        return;
      case 'join':
        d.call.join(c.url, c.token).then(
          () => dispatch({ type: 'joined', sessionId: c.sessionId }),
          (error: Error) => dispatch({ type: 'joinFailed', sessionId: c.sessionId, error: error.message }),
        );
        return;
      case 'leave':
        d.call.leave();
        return;
      case 'setMic':
        d.call.setMic(c.on);
        return;
      case 'setCamera':
        d.call.setCamera(c.on);
        return;
      case 'fetchEntry':
        void d.api.fetchEntry().then((entry) => dispatch({ type: 'entry', entry }));
        return;
      case 'confirmAdult':
        // The page goes on either way; the gate comes back on the next visit if this was lost.
        void d.api.confirmAdult().then((ok) => ok || console.warn('the 18+ confirmation did not reach the server'));
        return;
      case 'solve':
        solve(c.task);
        return;
      case 'connect':
        d.socket().start();
        return;
      case 'after':
        setTimeout(() => dispatch({ type: c.event, now: Date.now() }), c.ms);
        return;
      case 'loadModel':
        d.loadModel().then(
          (m) => {
            // A User Timing measure, like the call's: browser tools (and the end-to-end tests) read it.
            performance.measure('serendip:model-load', {
              start: performance.now() - m.loadMs,
              duration: m.loadMs,
              detail: { backend: m.backend },
            });
            dispatch({ type: 'model', ready: true });
          },
          (error: Error) => dispatch({ type: 'model', ready: false, error: error.message }),
        );
        return;
      case 'saveSafeMode':
        d.saveSafeMode(c.on);
        return;
      case 'mark':
        // User Timing marks: browser tools (and the end-to-end tests) read matched → connected from them.
        performance.mark(`serendip:${c.name}:${c.sessionId}`);
        if (c.name === 'connected' && performance.getEntriesByName(`serendip:matched:${c.sessionId}`).length > 0) {
          performance.measure(
            `serendip:matched→connected:${c.sessionId}`,
            `serendip:matched:${c.sessionId}`,
            `serendip:connected:${c.sessionId}`,
          );
        }
        return;
    }
  };

  const solve = (task: PowTask): void => {
    d.solve(task, (p) => dispatch({ type: 'solveProgress', ...p }))
      .then((payload) => d.api.submitChallenge(payload))
      .then(
        (outcome) => dispatch({ type: 'solved', outcome }),
        (error: Error) => dispatch({ type: 'solved', outcome: 'failed', error: error.message }),
      );
  };

  const keystroke = (hasText: boolean): void => {
    clearTimeout(typingTimer);
    dispatch({ type: 'typing', typing: hasText });
    if (hasText) typingTimer = setTimeout(() => dispatch({ type: 'typing', typing: false }), TYPING_PAUSE_MS);
  };

  return { state, dispatch, keystroke };
}
