import { expect, test } from 'bun:test';
import { CLIENT_FRAME_TYPES, type ClientFrame, parseClientFrame } from '../protocol.ts';
import { clientEvent } from './client-events.ts';

test('every client frame becomes client.<type> with its fields unchanged', () => {
  const frames: ClientFrame[] = [
    { type: 'enqueue', mode: 'text', interests: ['go'] },
    { type: 'cancel' },
    { type: 'ready', sessionId: 's' },
    { type: 'message', sessionId: 's', text: 'hi' },
    { type: 'typing', sessionId: 's', typing: true },
    { type: 'skip', sessionId: 's' },
    { type: 'end', sessionId: 's' },
    { type: 'report', sessionId: 's', reason: 'rude' },
    { type: 'ping', t: 3 },
  ];
  expect(frames.map((f) => f.type)).toEqual([...CLIENT_FRAME_TYPES]);
  for (const frame of frames) {
    const { type, ...fields } = clientEvent(frame);
    const { type: frameType, ...frameFields } = frame;
    expect(type).toBe(`client.${frameType}`);
    expect(fields).toEqual(frameFields);
  }
  const parsed = parseClientFrame('{"type":"ping"}');
  expect(parsed.ok && clientEvent(parsed.frame)).toEqual({ type: 'client.ping' });
});
