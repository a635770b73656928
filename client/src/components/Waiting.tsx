/** Looking for a stranger: how long so far, how many are around, Cancel; the last chat's end stays visible. */
import { Show } from 'solid-js';
import type { Call } from '../lib/call.ts';
import { formatElapsed } from '../lib/format.ts';
import type { Store } from '../lib/store.ts';
import { LastChat } from './Chat.tsx';
import { useNow } from './clock.ts';
import { LocalVideo } from './LocalVideo.tsx';

export function Waiting(props: { store: Store; call: Call }) {
  const s = props.store.state;
  const now = useNow();
  return (
    <section class="waiting">
      <div class="searching" role="status">
        <span class="spinner" aria-hidden="true" />
        <h2>Looking for a stranger…</h2>
        <p>
          <span data-testid="elapsed">{formatElapsed(now() - (s.waitingSince ?? now()))}</span>
          <Show when={s.wish?.interests.length}> · interests: {s.wish?.interests.join(', ')}</Show>
        </p>
        <button type="button" data-testid="cancel" onClick={() => props.store.dispatch({ type: 'cancel' })}>
          Cancel
        </button>
      </div>
      <Show when={s.devices === 'on' && s.wish?.mode === 'video'}>
        <LocalVideo call={props.call} testId="waiting-preview" class="small" />
      </Show>
      <LastChat store={props.store} />
    </section>
  );
}
