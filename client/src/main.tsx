/** Entry: wires the socket, the call and the store together and renders the app. */
import { render } from 'solid-js/web';
import { App } from './App.tsx';
import { Call } from './lib/call.ts';
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
});
const store = createSessionStore({ socket: () => socket, call });

const root = document.getElementById('root');
if (!root) throw new Error('index.html has no #root');
render(() => <App store={store} call={call} />, root);
socket.start();
