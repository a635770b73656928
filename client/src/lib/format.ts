/** Small display helpers. */

/** "0:07", "1:30", "12:05", "1:02:03" for a duration in ms. */
export function formatElapsed(ms: number): string {
  const total = Math.max(0, Math.floor(ms / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const two = (n: number) => String(n).padStart(2, '0');
  return h > 0 ? `${h}:${two(m)}:${two(s)}` : `${m}:${two(s)}`;
}

/** "1 person online", "1,234 people online". */
export function formatOnline(n: number): string {
  return `${n.toLocaleString('en-US')} ${n === 1 ? 'person' : 'people'} online`;
}

/** Whole seconds left until `until` (rounded up, never negative): a countdown's number. */
export function secondsLeft(until: number, now: number): number {
  return Math.max(0, Math.ceil((until - now) / 1000));
}

/** "21 May 2026, 14:05" in the reader's own locale and time zone (both can be given for tests). */
export function formatWhen(ms: number, locale?: string, timeZone?: string): string {
  return new Date(ms).toLocaleString(locale, { dateStyle: 'medium', timeStyle: 'short', timeZone });
}
