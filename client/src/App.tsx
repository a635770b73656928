/** The root: `data-state` for tests and styles, the header, notices, and the screen of the phase. */
import { Match, Show, Switch } from 'solid-js';
import { AfterEnd } from './components/AfterEnd.tsx';
import { CallScreen } from './components/CallScreen.tsx';
import { Landing } from './components/Landing.tsx';
import { Notices } from './components/Notices.tsx';
import { Waiting } from './components/Waiting.tsx';
import type { Call } from './lib/call.ts';
import { formatOnline } from './lib/format.ts';
import { dataState } from './lib/state.ts';
import type { Store } from './lib/store.ts';

export function App(props: { store: Store; call: Call }) {
  const s = props.store.state;
  return (
    <div class="app" data-state={dataState(s)}>
      <header class="top">
        <span class="logo">
          <span class="logo-mark" aria-hidden="true" />
          Serendip
        </span>
        <Show when={s.online !== null}>
          <span class="online" data-testid="online-count">
            {formatOnline(s.online ?? 0)}
          </span>
        </Show>
      </header>
      <Notices store={props.store} />
      <main class="screen">
        <Switch>
          <Match when={s.phase === 'idle' && s.afterEnd}>
            <AfterEnd store={props.store} />
          </Match>
          <Match when={s.phase === 'idle'}>
            <Landing store={props.store} call={props.call} />
          </Match>
          <Match when={s.phase === 'waiting'}>
            <Waiting store={props.store} call={props.call} />
          </Match>
          <Match when={s.phase === 'matched' || s.phase === 'inCall'}>
            <CallScreen store={props.store} call={props.call} />
          </Match>
        </Switch>
      </main>
    </div>
  );
}
