/** Safe mode on or off (remembered by this browser). */
import type { Store } from '../lib/store.ts';

export function SafeModeToggle(props: { store: Store }) {
  const on = () => props.store.state.shield.on;
  return (
    <button
      type="button"
      class="safe-toggle"
      data-testid="safe-mode"
      aria-pressed={on()}
      title="Safe mode blurs a stranger's video until it looks safe. It is checked in your browser: no picture leaves it."
      onClick={() => props.store.dispatch({ type: 'safeMode', on: !on(), save: true })}
    >
      Safe mode {on() ? 'on' : 'off'}
    </button>
  );
}
