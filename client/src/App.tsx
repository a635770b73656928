/**
 * The root: `data-state` for tests and styles, the header, notices, and the screen of the moment:
 * a ban or a bot check before anything else, the 18+ gate before the landing page, the skip
 * limit's cool-down, then the session's own screens.
 */
import { Match, Show, Switch } from 'solid-js';
import { AfterEnd } from './components/AfterEnd.tsx';
import { AgeGate } from './components/AgeGate.tsx';
import { Banned } from './components/Banned.tsx';
import { CallScreen } from './components/CallScreen.tsx';
import { ChallengeScreen } from './components/ChallengeScreen.tsx';
import { Cooldown } from './components/Cooldown.tsx';
import { Landing } from './components/Landing.tsx';
import { Notices } from './components/Notices.tsx';
import type { WatchRemote } from './components/RemoteVideo.tsx';
import { Waiting } from './components/Waiting.tsx';
import type { Call } from './lib/call.ts';
import { formatOnline } from './lib/format.ts';
import { dataState } from './lib/state.ts';
import type { Store } from './lib/store.ts';

export function App(props: { store: Store; call: Call; watch: WatchRemote }) {
  const s = props.store.state;
  const g = s.gate;
  return (
    <div class="app" data-state={dataState(s)}>
      <header class="top">
        <span class="logo">
          <span class="logo-mark" aria-hidden="true" />
          Serendip
        </span>
        <Show when={s.online !== null && !g.banned}>
          <span class="online" data-testid="online-count">
            {formatOnline(s.online ?? 0)}
          </span>
        </Show>
      </header>
      <Show when={!g.banned && !g.challenge}>
        <Notices store={props.store} />
      </Show>
      <main class="screen">
        <Switch>
          <Match when={g.banned}>{(ban) => <Banned ban={ban()} />}</Match>
          <Match when={g.challenge}>
            <ChallengeScreen store={props.store} />
          </Match>
          <Match when={!g.checked}>
            <section class="gate" aria-busy="true" />
          </Match>
          <Match when={s.phase === 'idle' && !g.adult}>
            <AgeGate store={props.store} />
          </Match>
          <Match when={s.cooldown}>
            <Cooldown store={props.store} />
          </Match>
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
            <CallScreen store={props.store} call={props.call} watch={props.watch} />
          </Match>
        </Switch>
      </main>
    </div>
  );
}
