/** Connection banners (reconnecting, gone for good) and the server's refusals, above every screen. */
import { Show } from 'solid-js';
import type { Store } from '../lib/store.ts';

export function Notices(props: { store: Store }) {
  const s = props.store.state;
  return (
    <>
      <Show when={s.link === 'reconnecting'}>
        <div class="banner warn" role="status" data-testid="reconnecting">
          <span class="spinner small" aria-hidden="true" /> Connection lost — reconnecting…
        </div>
      </Show>
      <Show when={s.link === 'closed'}>
        <div class="banner error" role="alert" data-testid="disconnected">
          {s.notice ?? 'Disconnected.'}{' '}
          <button type="button" class="link" onClick={() => location.reload()}>
            Start over
          </button>
        </div>
      </Show>
      <Show when={s.link === 'connecting'}>
        <div class="banner" role="status">
          <span class="spinner small" aria-hidden="true" /> Connecting…
        </div>
      </Show>
      <Show when={s.notice !== null && s.link !== 'closed'}>
        <div class="banner error" role="alert" data-testid="notice">
          <span>{s.notice}</span>
          <button
            type="button"
            class="link"
            aria-label="Dismiss"
            onClick={() => props.store.dispatch({ type: 'dismiss' })}
          >
            ✕
          </button>
        </div>
      </Show>
    </>
  );
}
