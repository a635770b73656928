/** After the user ended a chat: a short pause, then Start again (same mode and interests). */
import { Show } from 'solid-js';
import type { Store } from '../lib/store.ts';

export function AfterEnd(props: { store: Store }) {
  const s = props.store.state;
  return (
    <section class="after-end" data-testid="after-end">
      <h2>Chat ended.</h2>
      <p>Thanks for being kind to a stranger.</p>
      <div class="actions">
        <button
          type="button"
          class="primary"
          data-testid="again"
          onClick={() => props.store.dispatch({ type: 'again' })}
        >
          Start again
          <Show when={s.wish?.mode === 'text'}> (text)</Show>
        </button>
        <button type="button" data-testid="home" onClick={() => props.store.dispatch({ type: 'home' })}>
          Change interests
        </button>
      </div>
    </section>
  );
}
