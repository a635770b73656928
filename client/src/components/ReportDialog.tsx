/** Report the stranger: a category (required), optional details; reporting also moves on to someone new. */
import { createSignal, For, onMount } from 'solid-js';
import { REPORT_CATEGORIES, type ReportCategory, reportReason } from '../lib/report.ts';

const MAX_DETAILS = 300;

export function ReportDialog(props: {
  /** Chosen already (the unsafe-video notice starts from "nudity"); null: the user must choose. */
  category: ReportCategory | null;
  onReport: (reason: string) => void;
  onCancel: () => void;
}) {
  const [category, setCategory] = createSignal<ReportCategory | ''>(props.category ?? '');
  const [details, setDetails] = createSignal('');
  let select: HTMLSelectElement | undefined;
  onMount(() => select?.focus());
  const submit = (e: SubmitEvent) => {
    e.preventDefault();
    const c = category();
    if (c) props.onReport(reportReason(c, details()));
  };
  return (
    <div class="dialog-backdrop">
      <form class="dialog" role="dialog" aria-modal="true" aria-labelledby="report-title" onSubmit={submit}>
        <h2 id="report-title">Report this stranger</h2>
        <label class="field">
          <span>What happened?</span>
          <select
            data-testid="report-category"
            required
            ref={select}
            value={category()}
            onChange={(e) => setCategory(e.currentTarget.value as ReportCategory | '')}
          >
            <option value="" disabled>
              Choose one…
            </option>
            <For each={REPORT_CATEGORIES}>{([value, label]) => <option value={value}>{label}</option>}</For>
          </select>
        </label>
        <label class="field">
          <span>Details (optional)</span>
          <textarea
            data-testid="report-details"
            rows="2"
            maxLength={MAX_DETAILS}
            value={details()}
            onInput={(e) => setDetails(e.currentTarget.value)}
          />
        </label>
        <p class="hint">You will not be paired with them again. Reporting also ends this chat.</p>
        <div class="actions">
          <button type="button" onClick={() => props.onCancel()}>
            Cancel
          </button>
          <button type="submit" class="danger" data-testid="report-submit" disabled={!category()}>
            Report and skip
          </button>
        </div>
      </form>
    </div>
  );
}
