/** A banned device: until when (or for good), why, and no way to start; once the ban is over, a way back in. */
import { Show } from 'solid-js';
import type { Ban } from '../lib/entry.ts';
import { formatWhen } from '../lib/format.ts';
import { useNow } from './clock.ts';

export function Banned(props: { ban: Ban }) {
  const now = useNow(1000);
  const over = () => props.ban.until !== null && now() >= props.ban.until;
  return (
    <section class="gate" data-testid="banned" role="alert">
      <div class="card">
        <h1>You can't use Serendip right now.</h1>
        <p class="lede">This device was banned for breaking the rules.</p>
        <Show when={props.ban.reason}>
          <p class="hint">Reason: {props.ban.reason}</p>
        </Show>
        <Show when={props.ban.until} fallback={<p>The ban does not end.</p>}>
          {(until) => (
            <p>
              The ban ends <time datetime={new Date(until()).toISOString()}>{formatWhen(until())}</time>.
            </p>
          )}
        </Show>
        <Show when={over()}>
          <div class="actions">
            <button type="button" class="primary" onClick={() => location.reload()}>
              The ban is over: come back in
            </button>
          </div>
        </Show>
      </div>
    </section>
  );
}
