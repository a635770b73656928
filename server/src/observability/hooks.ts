/**
 * One inspection observer for every session actor, made of several (the /admin trail, the Stately
 * inspector). An observer that throws is contained here: an exception escaping an inspection
 * observer would fail the user's actor, and watching must never break what is watched.
 */
import type { InspectionEvent } from 'xstate';

export type InspectionObserver = (event: InspectionEvent) => void;

/** Combines observers; null when there are none, so actors are created without inspection. */
export function composeInspection(
  observers: InspectionObserver[],
  onError: (error: unknown) => void,
): InspectionObserver | null {
  if (observers.length === 0) return null;
  let failures = 0;
  return (event) => {
    for (const observe of observers) {
      try {
        observe(event);
      } catch (error) {
        // Report the first failure and then every 1000th, so a broken observer cannot flood the log.
        if (failures++ % 1000 === 0) onError(error);
      }
    }
  };
}

/** The user id an actor was created for (its `input.userId`); '' for actors without one. */
export function inputUserId(actor: unknown): string {
  const input = (actor as { options?: { input?: { userId?: unknown } } }).options?.input;
  return typeof input?.userId === 'string' ? input.userId : '';
}
