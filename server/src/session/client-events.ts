/**
 * Client frames as the session machine receives them: the protocol's frame types, each renamed
 * `client.<type>` (events are named by their source). The event types are derived from
 * protocol.ts, so a field added to a frame reaches the machine's types with nothing to update;
 * the conversion is checked case by case, so it cannot drift either.
 */
import type { ClientFrame } from '../protocol.ts';

/** `{ type: 'message', … }` → `{ type: 'client.message', … }`, for every client frame. */
type AsEvent<F> = F extends { type: infer T extends string } ? Omit<F, 'type'> & { type: `client.${T}` } : never;

/** Every client frame, as a machine event. */
export type ClientEvent = AsEvent<ClientFrame>;

/** The machine event for a parsed client frame. */
export function clientEvent(frame: ClientFrame): ClientEvent {
  switch (frame.type) {
    case 'enqueue':
      return { ...frame, type: 'client.enqueue' };
    case 'cancel':
      return { type: 'client.cancel' };
    case 'ready':
      return { ...frame, type: 'client.ready' };
    case 'message':
      return { ...frame, type: 'client.message' };
    case 'typing':
      return { ...frame, type: 'client.typing' };
    case 'skip':
      return { ...frame, type: 'client.skip' };
    case 'end':
      return { ...frame, type: 'client.end' };
    case 'report':
      return { ...frame, type: 'client.report' };
    case 'ping':
      return { ...frame, type: 'client.ping' };
  }
}
