/** The first screen: interests, a camera preview, Start (video) and Start text-only. */
import { createMemo, createSignal, Show } from 'solid-js';
import type { Call } from '../lib/call.ts';
import { parseInterests } from '../lib/interests.ts';
import type { Store } from '../lib/store.ts';
import { DeviceHelp } from './DeviceHelp.tsx';
import { LocalVideo } from './LocalVideo.tsx';
import { SafeModeToggle } from './SafeModeToggle.tsx';

export function Landing(props: { store: Store; call: Call }) {
  const s = props.store.state;
  const [text, setText] = createSignal(s.wish?.interests.join(', ') ?? '');
  const interests = createMemo(() => parseInterests(text()));
  const open = () => s.link === 'open';
  const start = (mode: 'video' | 'text') =>
    props.store.dispatch({ type: 'start', wish: { mode, interests: interests().tags } });
  return (
    <section class="landing">
      <div class="intro">
        <h1>Talk to a stranger.</h1>
        <p class="lede">
          One click and you are face to face with someone new, somewhere in the world. Skip whenever you like — press
          <kbd>Esc</kbd> twice.
        </p>
        <label class="field">
          <span>Interests (optional)</span>
          <input
            data-testid="interests"
            type="text"
            placeholder="music, films, chess"
            autocomplete="off"
            value={text()}
            onInput={(e) => setText(e.currentTarget.value)}
            onKeyDown={(e) => e.key === 'Enter' && start(s.video ? 'video' : 'text')}
          />
          <small class={interests().problem ? 'hint warn' : 'hint'}>
            {interests().problem ?? 'You will be paired with someone who shares one, if anyone is around.'}
          </small>
        </label>
        <div class="actions">
          <button
            type="button"
            class="primary"
            data-testid="start"
            disabled={!open() || !s.video || s.devices === 'requesting'}
            onClick={() => start('video')}
          >
            {s.devices === 'requesting' ? 'Waiting for camera…' : 'Start video chat'}
          </button>
          <button type="button" data-testid="start-text" disabled={!open()} onClick={() => start('text')}>
            Start text-only
          </button>
        </div>
        <Show when={open() && !s.video}>
          <p class="hint warn" data-testid="video-unavailable">
            Video is unavailable on this server right now: text chat works.
          </p>
        </Show>
        <DeviceHelp store={props.store} onText={() => start('text')} />
        <p class="safe-line">
          <SafeModeToggle store={props.store} />
          <small class="hint">
            {s.shield.on
              ? "A stranger's video stays blurred until it looks safe. It is checked in your browser: no picture leaves it."
              : "Strangers' video is shown as it comes."}
          </small>
        </p>
        <p class="fine">Be kind. Strangers are people. Serendip is for adults (18+).</p>
      </div>
      <div class="preview">
        <Show
          when={s.devices === 'on'}
          fallback={
            <div class="preview-empty">
              <p>Your camera stays off until you start a video chat.</p>
              <button
                type="button"
                data-testid="preview-camera"
                disabled={s.devices === 'requesting'}
                onClick={() => props.store.dispatch({ type: 'preview' })}
              >
                Preview camera
              </button>
            </div>
          }
        >
          <LocalVideo call={props.call} testId="preview" />
        </Show>
      </div>
    </section>
  );
}
