/** The chat: the log (with system lines), the stranger's typing indicator, and the input. */
import { createEffect, For, on, Show } from 'solid-js';
import { MAX_TEXT_LENGTH } from '../../../server/src/protocol.ts';
import type { Store } from '../lib/store.ts';

export function ChatLog(props: { store: Store }) {
  const s = props.store.state;
  let log: HTMLOListElement | undefined;
  // Keep the newest line in view.
  createEffect(
    on(
      () => s.lines.length,
      () => log?.scrollTo({ top: log.scrollHeight }),
    ),
  );
  return (
    <ol class="chat-log" data-testid="chat-log" role="log" aria-live="polite" ref={log}>
      <For each={s.lines}>
        {(line) => (
          <li class={`line ${line.from}`} data-testid="chat-line" data-from={line.from}>
            <Show when={line.from !== 'system'}>
              <b>{line.from === 'me' ? 'You' : 'Stranger'}: </b>
            </Show>
            {line.text}
          </li>
        )}
      </For>
    </ol>
  );
}

/** The last chat's lines, kept in view while the user waits or cools down (nothing before any chat). */
export function LastChat(props: { store: Store }) {
  return (
    <Show when={props.store.state.lines.length > 0}>
      <div class="last-chat">
        <ChatLog store={props.store} />
      </div>
    </Show>
  );
}

export function Chat(props: { store: Store; inputRef?: (el: HTMLInputElement) => void }) {
  const s = props.store.state;
  let input: HTMLInputElement | undefined;
  const usable = () => s.session !== null && s.link === 'open';
  const send = (e: SubmitEvent) => {
    e.preventDefault();
    if (!input?.value.trim()) return;
    props.store.dispatch({ type: 'say', text: input.value });
    input.value = '';
    props.store.keystroke(false);
  };
  return (
    <div class="chat">
      <ChatLog store={props.store} />
      {/* Reserved space, so the input does not jump when the indicator comes and goes. */}
      <p class="typing" data-testid="typing" style={{ visibility: s.peerTyping ? 'visible' : 'hidden' }}>
        Stranger is typing…
      </p>
      <form class="chat-form" onSubmit={send}>
        <input
          data-testid="chat-input"
          type="text"
          aria-label="Message"
          placeholder={usable() ? 'Type a message, Enter to send' : ''}
          maxLength={MAX_TEXT_LENGTH}
          autocomplete="off"
          disabled={!usable()}
          ref={(el) => {
            input = el;
            props.inputRef?.(el);
          }}
          onInput={(e) => props.store.keystroke(e.currentTarget.value.trim().length > 0)}
        />
        <button type="submit" data-testid="chat-send" disabled={!usable()}>
          Send
        </button>
      </form>
    </div>
  );
}
