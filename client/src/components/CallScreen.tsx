/**
 * In a session: the stranger's video large and ours small (video mode), media toggles, the chat,
 * and Skip (or Esc twice), End and Report.
 */
import { createSignal, onCleanup, onMount, Show } from 'solid-js';
import type { Call } from '../lib/call.ts';
import type { ReportCategory } from '../lib/report.ts';
import { SKIP_CONFIRM_MS } from '../lib/state.ts';
import type { Store } from '../lib/store.ts';
import { Chat } from './Chat.tsx';
import { useNow } from './clock.ts';
import type { WatchRemote } from './RemoteVideo.tsx';
import { ReportDialog } from './ReportDialog.tsx';
import { Stage } from './Stage.tsx';

export function CallScreen(props: { store: Store; call: Call; watch: WatchRemote }) {
  const s = props.store.state;
  const now = useNow(250);
  /** The report dialog is open (with the category it starts from, if any). */
  const [reporting, setReporting] = createSignal<{ category: ReportCategory | null } | false>(false);
  let input: HTMLInputElement | undefined;
  const onKey = (e: KeyboardEvent) => {
    if (e.key !== 'Escape' || e.repeat) return;
    if (reporting()) {
      setReporting(false);
      return;
    }
    e.preventDefault();
    props.store.dispatch({ type: 'escape', now: Date.now() });
  };
  onMount(() => {
    document.addEventListener('keydown', onKey);
    input?.focus();
  });
  onCleanup(() => document.removeEventListener('keydown', onKey));
  const armed = () => s.skipArmedAt !== null && now() - s.skipArmedAt <= SKIP_CONFIRM_MS;
  const video = () => s.session?.mode === 'video';
  return (
    <section class={video() ? 'call video' : 'call text'}>
      <Show when={video()}>
        <Stage
          store={props.store}
          call={props.call}
          watch={props.watch}
          onReport={() => setReporting({ category: 'nudity' })}
        />
      </Show>
      <div class="side">
        <Show when={(s.session?.commonInterests.length ?? 0) > 0}>
          <p class="common">You both like: {s.session?.commonInterests.join(', ')}</p>
        </Show>
        <Chat
          store={props.store}
          inputRef={(el) => {
            input = el;
          }}
        />
        <div class="controls">
          <button
            type="button"
            class="primary"
            data-testid="skip"
            aria-keyshortcuts="Escape Escape"
            onClick={() => props.store.dispatch({ type: 'skip' })}
          >
            {armed() ? 'Press Esc again' : 'Next'} <kbd>Esc</kbd>
          </button>
          <button type="button" data-testid="end" onClick={() => props.store.dispatch({ type: 'end' })}>
            End
          </button>
          <button type="button" class="danger" data-testid="report" onClick={() => setReporting({ category: null })}>
            Report
          </button>
        </div>
      </div>
      <Show when={reporting()}>
        {(r) => (
          <ReportDialog
            category={r().category}
            onCancel={() => setReporting(false)}
            onReport={(reason) => {
              setReporting(false);
              props.store.dispatch({ type: 'report', reason });
            }}
          />
        )}
      </Show>
    </section>
  );
}
