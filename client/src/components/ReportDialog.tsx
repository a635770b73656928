/** Report the stranger, with a reason; reporting also moves on to someone new. */
import { createSignal, For, onMount } from 'solid-js';
import { MAX_REPORT_REASON_LENGTH } from '../../../server/src/protocol.ts';

const REASONS = ['Nudity or sexual content', 'Harassment or hate', 'Looks under 18', 'Spam or advertising', 'Other'];

export function ReportDialog(props: { onReport: (reason: string) => void; onCancel: () => void }) {
  const [reason, setReason] = createSignal(REASONS[0] as string);
  const [details, setDetails] = createSignal('');
  let first: HTMLInputElement | undefined;
  onMount(() => first?.focus());
  const submit = (e: SubmitEvent) => {
    e.preventDefault();
    const text = details().trim();
    props.onReport((text ? `${reason()}: ${text}` : reason()).slice(0, MAX_REPORT_REASON_LENGTH));
  };
  return (
    <div class="dialog-backdrop">
      <form class="dialog" role="dialog" aria-modal="true" aria-labelledby="report-title" onSubmit={submit}>
        <h2 id="report-title">Report this stranger</h2>
        <fieldset>
          <legend>What happened?</legend>
          <For each={REASONS}>
            {(r, i) => (
              <label class="choice">
                <input
                  type="radio"
                  name="reason"
                  value={r}
                  checked={reason() === r}
                  onChange={() => setReason(r)}
                  ref={(el) => {
                    if (i() === 0) first = el;
                  }}
                />
                {r}
              </label>
            )}
          </For>
        </fieldset>
        <label class="field">
          <span>Details (optional)</span>
          <textarea
            data-testid="report-details"
            rows="2"
            maxLength={300}
            value={details()}
            onInput={(e) => setDetails(e.currentTarget.value)}
          />
        </label>
        <p class="hint">You will not be paired with them again. Reporting also ends this chat.</p>
        <div class="actions">
          <button type="button" onClick={() => props.onCancel()}>
            Cancel
          </button>
          <button type="submit" class="danger" data-testid="report-submit">
            Report and skip
          </button>
        </div>
      </form>
    </div>
  );
}
