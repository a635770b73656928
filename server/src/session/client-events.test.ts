import { expect, test } from 'bun:test';
import { CLIENT_FRAME_TYPES, parseClientFrame } from '../protocol.ts';
import { clientEvent } from './client-events.ts';

/** Every field any frame has; each type's parser keeps only its own. */
const FIELDS = { sessionId: 's', text: 'hi', typing: true, reason: 'rude', mode: 'text', interests: ['go'], t: 3 };

test('every client frame becomes client.<type> with its fields unchanged', () => {
  for (const type of CLIENT_FRAME_TYPES) {
    const parsed = parseClientFrame(JSON.stringify({ type, ...FIELDS }));
    if (!parsed.ok) throw new Error(`${type}: ${parsed.error.message}`);
    const { type: eventType, ...fields } = clientEvent(parsed.frame);
    const { type: frameType, ...frameFields } = parsed.frame;
    expect(eventType).toBe(`client.${frameType}`);
    expect(fields).toEqual(frameFields);
  }
  const ping = parseClientFrame('{"type":"ping"}');
  expect(ping.ok && clientEvent(ping.frame)).toEqual({ type: 'client.ping' });
});
