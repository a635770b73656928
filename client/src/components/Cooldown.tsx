/** Over the skip limit: a live countdown, then back in the queue by itself (same mode and interests). */
import { Show } from 'solid-js';
import { secondsLeft } from '../lib/format.ts';
import type { Store } from '../lib/store.ts';
import { LastChat } from './Chat.tsx';
import { useNow } from './clock.ts';

export function Cooldown(props: { store: Store }) {
  const s = props.store.state;
  const now = useNow(250);
  return (
    <section class="waiting">
      <div class="searching" role="status" data-testid="cooldown">
        <h2>Take a breath.</h2>
        <p>
          You're skipping very fast — you can meet someone new in{' '}
          <b data-testid="cooldown-seconds">{secondsLeft(s.cooldown?.until ?? 0, now())}</b> s.
        </p>
        <p class="hint">
          You will be back in the queue by yourself
          <Show when={s.cooldown?.wish.mode === 'text'}> (text only)</Show>
          <Show when={s.cooldown?.wish.interests.length}> with {s.cooldown?.wish.interests.join(', ')}</Show>.
        </p>
        <button
          type="button"
          data-testid="cooldown-cancel"
          onClick={() => props.store.dispatch({ type: 'cancelCooldown' })}
        >
          Cancel
        </button>
      </div>
      <LastChat store={props.store} />
    </section>
  );
}
