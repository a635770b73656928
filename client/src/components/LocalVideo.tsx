/** Our own camera, mirrored like a mirror (the stranger sees it the right way round). */
import { onCleanup } from 'solid-js';
import type { Call } from '../lib/call.ts';

export function LocalVideo(props: { call: Call; testId: string; class?: string }) {
  let undo: (() => void) | undefined;
  onCleanup(() => undo?.());
  return (
    <video
      data-testid={props.testId}
      class={`local ${props.class ?? ''}`}
      autoplay
      playsinline
      muted
      ref={(el) => {
        undo = props.call.showLocal(el);
      }}
    />
  );
}
