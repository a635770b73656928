/** The bot check: the browser solves a small puzzle by itself (with progress); on failure, a retry. */
import { Show } from 'solid-js';
import type { Store } from '../lib/store.ts';

export function ChallengeScreen(props: { store: Store }) {
  const c = () => props.store.state.gate.challenge;
  const share = () => c()?.share ?? null;
  /** A share when the challenge says how big the search is; otherwise how many answers were tried. */
  const said = () => {
    const x = share();
    return x === null ? `${(c()?.tried ?? 0).toLocaleString('en-US')} tried` : `${Math.floor(x * 100)}%`;
  };
  return (
    <section class="gate" data-testid="challenge" data-status={c()?.status}>
      <div class="card">
        <h1>Checking that you're a person…</h1>
        <p class="lede">
          Many connections came from your network just now, so your browser first solves a small puzzle. Nothing to
          click: it takes a few seconds.
        </p>
        <Show
          when={c()?.status === 'failed'}
          fallback={
            <div class="progress" role="status">
              {/* Without a value the bar is indeterminate: a search of unknown size. */}
              <Show when={share() !== null} fallback={<progress aria-label="Bot check" />}>
                <progress max="1" value={share() ?? 0} aria-label="Bot check" />
              </Show>
              <span data-testid="challenge-progress">{said()}</span>
            </div>
          }
        >
          <p class="hint warn" role="alert">
            The check could not be completed: {c()?.error}
          </p>
          <div class="actions">
            <button
              type="button"
              class="primary"
              data-testid="challenge-retry"
              onClick={() => props.store.dispatch({ type: 'retryChallenge' })}
            >
              Try again
            </button>
          </div>
        </Show>
      </div>
    </section>
  );
}
