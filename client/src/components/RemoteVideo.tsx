/**
 * The stranger's video behind safe mode's shield: blurred (CSS only, so the video still plays and
 * decodes) until its frames prove clean, with what safe mode is doing said over it, and the unsafe
 * notice offering Skip and Report.
 */
import { Match, onCleanup, Show, Switch } from 'solid-js';
import type { Call } from '../lib/call.ts';
import { isBlurred } from '../lib/safety/shield.ts';
import type { Store } from '../lib/store.ts';

/** Starts scoring a video element's frames for safe mode; returns the stop (main.tsx binds it). */
export type WatchRemote = (video: HTMLVideoElement) => () => void;

export function RemoteVideo(props: { store: Store; call: Call; watch: WatchRemote; onReport: () => void }) {
  const s = props.store.state;
  const undo: (() => void)[] = [];
  onCleanup(() => {
    for (const u of undo) u();
  });
  const blurred = () => isBlurred(s.shield);
  return (
    <div class="remote-box" data-testid="remote-blur" data-blurred={String(blurred())}>
      <video
        data-testid="remote-video"
        class={blurred() ? 'remote blurred' : 'remote'}
        autoplay
        playsinline
        muted
        ref={(el) => {
          undo.push(props.call.showRemote(el), props.watch(el));
        }}
      />
      <Show when={blurred() && s.peerVideo}>
        <Shade store={props.store} onReport={props.onReport} />
      </Show>
    </div>
  );
}

function Shade(props: { store: Store; onReport: () => void }) {
  const s = props.store.state;
  const dispatch = props.store.dispatch;
  const reveal = (label: string) => (
    <button type="button" class="link" data-testid="reveal" onClick={() => dispatch({ type: 'reveal' })}>
      {label}
    </button>
  );
  return (
    <div class="shade">
      <Switch fallback={<p class="stage-note">Safe mode is checking the stranger's video…</p>}>
        <Match when={s.shield.unsafe}>
          <div class="unsafe-notice" role="alert" data-testid="unsafe-notice">
            <strong>Safe mode hid this video.</strong>
            <p>It may show nudity or sexual content.</p>
            <div class="actions">
              <button
                type="button"
                class="primary"
                data-testid="unsafe-skip"
                onClick={() => dispatch({ type: 'skip' })}
              >
                Skip
              </button>
              <button type="button" class="danger" data-testid="unsafe-report" onClick={() => props.onReport()}>
                Report
              </button>
            </div>
            {reveal('Show it anyway')}
          </div>
        </Match>
        <Match when={s.shield.model === 'failed'}>
          <div class="unsafe-notice" role="alert" data-testid="safe-mode-failed">
            <strong>Safe mode could not start, so the stranger's video stays blurred.</strong>
            <p>{s.shield.modelError}</p>
            {reveal('Show the video')}
          </div>
        </Match>
      </Switch>
    </div>
  );
}
