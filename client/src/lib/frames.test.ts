import { describe, expect, test } from 'bun:test';
import { decodeFrame } from './frames.ts';

describe('decodeFrame', () => {
  test('reads every frame of the protocol', () => {
    const frames = [
      { type: 'hello', userId: 'u', resumeToken: 't', protocol: 1, video: true },
      { type: 'waiting', since: 1 },
      {
        type: 'matched',
        sessionId: 's',
        mode: 'video',
        commonInterests: ['a'],
        room: 's',
        token: 'x',
        livekitUrl: 'ws://l',
      },
      { type: 'matched', sessionId: 's', mode: 'text', commonInterests: [], room: null, token: null, livekitUrl: null },
      { type: 'connected', sessionId: 's' },
      { type: 'message', sessionId: 's', text: 'hi', at: 1 },
      { type: 'typing', sessionId: 's', typing: false },
      { type: 'peerLeft', sessionId: 's', reason: 'skip' },
      { type: 'ended', sessionId: 's', reason: 'end' },
      { type: 'idle' },
      { type: 'pong' },
      { type: 'pong', t: 5 },
      { type: 'stats', online: 3, waiting: 1 },
      { type: 'error', code: 'rate_limited', message: 'slow', retryAfterMs: 100 },
    ];
    for (const f of frames) expect(decodeFrame(JSON.stringify(f))).toEqual(f as never);
  });

  test('tolerates fields it does not know', () => {
    expect(decodeFrame('{"type":"idle","future":true}')).toEqual({ type: 'idle', future: true } as never);
  });

  test('drops what is not a frame it understands', () => {
    for (const raw of [
      'not json',
      '[]',
      'null',
      '"idle"',
      '{"type":"teleport"}',
      '{"type":"toString"}',
      '{"type":"waiting"}',
      '{"type":"matched","sessionId":"s","mode":"smell","commonInterests":[],"room":null,"token":null,"livekitUrl":null}',
      '{"type":"matched","sessionId":"s","mode":"text","commonInterests":[1],"room":null,"token":null,"livekitUrl":null}',
      '{"type":"hello","userId":"u","resumeToken":"t"}',
      '{"type":"stats","online":"many","waiting":0}',
    ]) {
      expect(decodeFrame(raw)).toBeNull();
    }
  });
});
