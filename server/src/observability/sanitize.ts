/**
 * What of an actor may leave the process for the Stately inspector: no chat text, no report text,
 * no tokens. Contexts are copied field by field from an allow-list, so a field added to the
 * machine later stays private until someone decides it is safe.
 */

const REDACTED = '[redacted]';

/** Session context fields that carry nothing private (ids, mode, timings, interest tags). */
const CONTEXT_FIELDS = [
  'userId',
  'conn',
  'mode',
  'interests',
  'since',
  'session',
  'closing',
  'retryInMs',
  'seq',
] as const;
const SESSION_FIELDS = ['sessionId', 'mode', 'partnerId', 'partnerInstance', 'commonInterests', 'startedAt'] as const;

/** Event fields that carry what people wrote or secrets; replaced wherever they appear. */
const PRIVATE_EVENT_FIELDS = new Set(['text', 'reason', 'token', 'resumeToken', 'resume', 'secret']);
/** `reason` is private only where a person typed it; elsewhere it is an end reason such as "skip". */
const TYPED_REASON = new Set(['client.report']);

function pick(source: Record<string, unknown>, fields: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const f of fields) if (f in source) out[f] = source[f];
  return out;
}

/** The inspector's `sanitizeContext`: an allow-listed copy of a session context. */
export function sanitizeContext(context: unknown): Record<string, unknown> | undefined {
  if (!context || typeof context !== 'object') return undefined;
  const out = pick(context as Record<string, unknown>, CONTEXT_FIELDS);
  const session = out.session;
  if (session && typeof session === 'object') out.session = pick(session as Record<string, unknown>, SESSION_FIELDS);
  return out;
}

/** The inspector's `sanitizeEvent`: private fields replaced, everything else kept for debugging. */
export function sanitizeEvent<E extends { type: string }>(event: E): E {
  let out: Record<string, unknown> | null = null;
  for (const key of Object.keys(event)) {
    if (!PRIVATE_EVENT_FIELDS.has(key)) continue;
    if (key === 'reason' && !TYPED_REASON.has(event.type)) continue;
    out ??= { ...event };
    out[key] = REDACTED;
  }
  return (out ?? event) as E;
}
