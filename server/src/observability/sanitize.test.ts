import { expect, test } from 'bun:test';
import { sanitizeContext, sanitizeEvent } from './sanitize.ts';

test('chat text, report text and tokens never pass; end reasons and ids do', () => {
  expect(sanitizeEvent({ type: 'client.message', sessionId: 's1', text: 'my phone is 555' })).toEqual({
    type: 'client.message',
    sessionId: 's1',
    text: '[redacted]',
  });
  expect(sanitizeEvent({ type: 'peer.message', sessionId: 's1', text: 'hi', at: 5 })).toMatchObject({
    text: '[redacted]',
    at: 5,
  });
  expect(sanitizeEvent({ type: 'client.report', sessionId: 's1', reason: 'he said X' })).toMatchObject({
    reason: '[redacted]',
  });
  expect(sanitizeEvent({ type: 'peer.left', sessionId: 's1', reason: 'skip' })).toMatchObject({ reason: 'skip' });
  expect(sanitizeEvent({ type: 'anything', token: 'jwt', resumeToken: 'r' })).toEqual({
    type: 'anything',
    token: '[redacted]',
    resumeToken: '[redacted]',
  });
});

test('an event with nothing private is passed through as the same object', () => {
  const e = { type: 'client.skip', sessionId: 's1' };
  expect(sanitizeEvent(e)).toBe(e);
});

test('contexts are copied from an allow-list', () => {
  const context = {
    userId: 'u1',
    conn: 'c1',
    mode: 'video',
    interests: ['music'],
    since: 1,
    session: {
      sessionId: 's1',
      mode: 'video',
      partnerId: 'u2',
      partnerInstance: 'i',
      commonInterests: [],
      startedAt: 2,
      grant: 'tok',
    },
    closing: null,
    retryInMs: null,
    lastMessage: 'private words',
    mediaToken: 'secret',
  };
  const clean = sanitizeContext(context);
  // Everything but the chat line, the media token and the session's grant, as it was.
  const { lastMessage: _line, mediaToken: _token, ...kept } = context;
  const { grant: _grant, ...session } = context.session;
  expect(clean).toEqual({ ...kept, session });
  expect(JSON.stringify(clean)).not.toContain('private');
  expect(sanitizeContext(undefined)).toBeUndefined();
});
