/** A signal of the current time, ticking while the component that asked for it is on screen. */
import { createSignal, onCleanup } from 'solid-js';

export function useNow(everyMs = 500): () => number {
  const [now, setNow] = createSignal(Date.now());
  const timer = setInterval(() => setNow(Date.now()), everyMs);
  onCleanup(() => clearInterval(timer));
  return now;
}
