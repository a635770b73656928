/** The video area: the stranger large, ourselves small, the connection state and the media toggles. */
import { Show } from 'solid-js';
import type { Call } from '../lib/call.ts';
import type { Media } from '../lib/state.ts';
import type { Store } from '../lib/store.ts';
import { LocalVideo } from './LocalVideo.tsx';
import { RemoteVideo, type WatchRemote } from './RemoteVideo.tsx';
import { SafeModeToggle } from './SafeModeToggle.tsx';

const MEDIA_TEXT: Record<Media, string> = {
  none: 'No video',
  connecting: 'Connecting…',
  connected: 'Connected',
  reconnecting: 'Reconnecting…',
  failed: 'Video failed',
};

export function Stage(props: { store: Store; call: Call; watch: WatchRemote; onReport: () => void }) {
  const s = props.store.state;
  /** Said over the stranger's picture when there is no picture to see, or it froze. */
  const overlay = () => {
    if (s.media !== 'connected') return null;
    if (s.peerLost) return "Stranger's connection was lost…";
    if (!s.peerVideo) return s.phase === 'inCall' ? "Stranger's camera is off" : 'Waiting for the stranger…';
    return null;
  };
  return (
    <div class="stage">
      <RemoteVideo store={props.store} call={props.call} watch={props.watch} onReport={props.onReport} />
      <p class={`media-state ${s.media}`} data-testid="media-state" data-media={s.media}>
        {MEDIA_TEXT[s.media]}
      </p>
      <Show when={overlay()}>
        <p class="stage-status">{overlay()}</p>
      </Show>
      <LocalVideo call={props.call} testId="local-video" class="pip" />
      <div class="media-controls">
        <button
          type="button"
          data-testid="mic"
          aria-pressed={!s.micOn}
          onClick={() => props.store.dispatch({ type: 'toggleMic' })}
        >
          {s.micOn ? 'Mute' : 'Unmute'}
        </button>
        <button
          type="button"
          data-testid="camera"
          aria-pressed={!s.cameraOn}
          onClick={() => props.store.dispatch({ type: 'toggleCamera' })}
        >
          {s.cameraOn ? 'Camera off' : 'Camera on'}
        </button>
        <SafeModeToggle store={props.store} />
        <Show when={s.audioBlocked}>
          <button type="button" class="primary" data-testid="enable-audio" onClick={() => void props.call.startAudio()}>
            Turn on sound
          </button>
        </Show>
      </div>
    </div>
  );
}
