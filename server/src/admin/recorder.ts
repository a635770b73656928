/**
 * Fills each connection's trail from the inspection events of its actor: events the root actor
 * receives (client frames, peer events, timers, invoked actors finishing). Heartbeat pings are
 * left out, or an idle user's trail would show nothing but pings.
 */
import type { InspectionEvent } from 'xstate';
import { inputUserId } from '../observability/hooks.ts';
import { eventTypes, Trail } from './trail.ts';

const SKIPPED = new Set(['client.ping']);

export function trailRecorder(
  lookup: (userId: string) => { trail?: Trail } | undefined,
  now: () => number = Date.now,
): (event: InspectionEvent) => void {
  return (event) => {
    if (event.type !== '@xstate.event' || event.actorRef.sessionId !== event.rootId) return;
    const type = event.event.type;
    if (SKIPPED.has(type)) return;
    const record = lookup(inputUserId(event.actorRef));
    if (!record) return;
    record.trail ??= new Trail();
    record.trail.record(eventTypes.codeOf(type), now());
  };
}
