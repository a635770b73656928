/** What to do when the camera or microphone cannot be used, with text chat offered instead. */
import { Match, Show, Switch } from 'solid-js';
import type { Store } from '../lib/store.ts';

export function DeviceHelp(props: { store: Store; onText: () => void }) {
  const s = props.store.state;
  const failed = () => s.devices === 'denied' || s.devices === 'missing' || s.devices === 'failed';
  return (
    <Show when={failed()}>
      <div class="device-help" role="alert" data-testid="device-error">
        <Switch>
          <Match when={s.devices === 'denied'}>
            <strong>Camera and microphone are blocked.</strong>
            <p>
              Video chat needs both. Your browser (or you) said no: allow them for this site — usually from the icon at
              the left of the address bar — then try again.
            </p>
          </Match>
          <Match when={s.devices === 'missing'}>
            <strong>No camera or microphone found.</strong>
            <p>Plug one in (or close the app that holds it), then try again.</p>
          </Match>
          <Match when={s.devices === 'failed'}>
            <strong>The camera or microphone could not start.</strong>
            <p>{s.deviceError}</p>
          </Match>
        </Switch>
        <div class="actions">
          <button type="button" onClick={() => props.store.dispatch({ type: 'preview' })}>
            Try again
          </button>
          <button type="button" class="primary" data-testid="use-text" onClick={() => props.onText()}>
            Chat by text instead
          </button>
        </div>
      </div>
    </Show>
  );
}
