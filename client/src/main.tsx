/**
 * Entry: wires the socket, the call, safe mode's classifier and the store together, renders the
 * app, and asks the server (GET /api/entry) whether this device may connect before it does.
 */
import { render } from 'solid-js/web';
import { App } from './App.tsx';
import { confirmAdult, fetchEntry, submitChallenge } from './lib/api.ts';
import { Call } from './lib/call.ts';
import { solve } from './lib/pow/solve.ts';
import { readSafeMode, saveSafeMode } from './lib/prefs.ts';
import { scoringEpoch } from './lib/safe-mode.ts';
import { Classifier } from './lib/safety/classifier.ts';
import { watchVideo } from './lib/safety/watcher.ts';
import { Socket } from './lib/socket.ts';
import { createSessionStore } from './lib/store.ts';
import './styles.css';

const call = new Call({
  onMedia: (media) => store.dispatch({ type: 'media', media }),
  onPeerVideo: (peerVideo) => store.dispatch({ type: 'mediaInfo', peerVideo }),
  onPeerLost: (peerLost) => store.dispatch({ type: 'mediaInfo', peerLost }),
  onAudioBlocked: (audioBlocked) => store.dispatch({ type: 'mediaInfo', audioBlocked }),
});
const socket = new Socket({
  url: `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws`,
  onFrame: (frame) => store.dispatch({ type: 'frame', frame, now: Date.now() }),
  onLink: (link, info) => store.dispatch({ type: 'link', link, ...info }),
  // A connection that failed before `hello` may have been refused: the entry check says why.
  vet: async () => {
    const entry = await fetchEntry();
    store.dispatch({ type: 'entry', entry, refused: true });
    return !entry?.banned && !entry?.challenge;
  },
});
const classifier = new Classifier();
const store = createSessionStore({
  socket: () => socket,
  call,
  loadModel: () => classifier.load(),
  api: { fetchEntry, confirmAdult, submitChallenge },
  solve,
  saveSafeMode,
});
const watch = (video: HTMLVideoElement) =>
  watchVideo(video, {
    classifier,
    epoch: () => scoringEpoch(store.state),
    onScored: (epoch, scores) => store.dispatch({ type: 'scored', epoch, scores }),
  });

const root = document.getElementById('root');
if (!root) throw new Error('index.html has no #root');
store.dispatch({ type: 'safeMode', on: readSafeMode() });
render(() => <App store={store} call={call} watch={watch} />, root);
store.dispatch({ type: 'boot' });
