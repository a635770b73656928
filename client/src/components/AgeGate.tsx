/** First visit: Serendip is for adults; confirming (remembered by the server) opens the landing page. */
import { createSignal, Show } from 'solid-js';
import type { Store } from '../lib/store.ts';

export function AgeGate(props: { store: Store }) {
  const [under, setUnder] = createSignal(false);
  return (
    <section class="gate" data-testid="age-gate" aria-labelledby="gate-title">
      <div class="card">
        <h1 id="gate-title">Serendip is for adults.</h1>
        <p class="lede">
          Here you meet strangers on camera and in chat. You must be 18 or older to use it, and you agree to keep it
          decent:
        </p>
        <ul class="rules">
          <li>No nudity or sexual content.</li>
          <li>No harassment, hate or threats.</li>
          <li>Report anyone who breaks these rules, or who looks under 18.</li>
        </ul>
        <Show
          when={!under()}
          fallback={
            <p class="hint warn" role="alert">
              Sorry — Serendip is only for adults. Please close this page.
            </p>
          }
        >
          <div class="actions">
            <button
              type="button"
              class="primary"
              data-testid="age-confirm"
              onClick={() => props.store.dispatch({ type: 'confirmAdult' })}
            >
              I am 18 or older
            </button>
            <button type="button" data-testid="age-decline" onClick={() => setUnder(true)}>
              I am under 18
            </button>
          </div>
        </Show>
      </div>
    </section>
  );
}
