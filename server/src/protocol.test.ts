import { describe, expect, test } from 'bun:test';
import { join } from 'node:path';
import { MAX_FRAME_BYTES, PROTOCOL_TIMERS, parseClientFrame } from './protocol.ts';

const code = (raw: unknown) => {
  const r = parseClientFrame(raw);
  return r.ok ? 'ok' : r.error.code;
};

describe('parseClientFrame', () => {
  test('every client frame of PROTOCOL.md parses', () => {
    expect(parseClientFrame('{"type":"enqueue"}')).toEqual({
      ok: true,
      frame: { type: 'enqueue', mode: 'video', interests: [] },
    });
    expect(parseClientFrame('{"type":"enqueue","mode":"text","interests":[" Music ","music","Go"]}')).toEqual({
      ok: true,
      frame: { type: 'enqueue', mode: 'text', interests: ['music', 'go'] },
    });
    for (const f of [
      { type: 'cancel' },
      { type: 'ready', sessionId: 's' },
      { type: 'message', sessionId: 's', text: 'hi' },
      { type: 'typing', sessionId: 's', typing: false },
      { type: 'skip', sessionId: 's' },
      { type: 'end', sessionId: 's' },
      { type: 'report', sessionId: 's', reason: '' },
      { type: 'ping', t: 12.5 },
      { type: 'ping' },
    ]) {
      expect(parseClientFrame(JSON.stringify(f))).toEqual({ ok: true, frame: f as never });
    }
  });

  test('unknown fields are ignored', () => {
    expect(parseClientFrame('{"type":"cancel","extra":1}')).toEqual({ ok: true, frame: { type: 'cancel' } });
  });

  test('binary, non-JSON, non-object and oversized frames are bad_frame', () => {
    expect(code(new Uint8Array([1]))).toBe('bad_frame');
    expect(code('nope')).toBe('bad_frame');
    expect(code('[]')).toBe('bad_frame');
    expect(code('null')).toBe('bad_frame');
    expect(code('"text"')).toBe('bad_frame');
    expect(code(JSON.stringify({ type: 'ping', pad: 'x'.repeat(MAX_FRAME_BYTES) }))).toBe('bad_frame');
    // 8 KiB is measured in bytes: 3,000 three-byte characters are over it.
    expect(code(JSON.stringify({ type: 'message', sessionId: 's', text: '€'.repeat(2000) + 'x'.repeat(3000) }))).toBe(
      'bad_frame',
    );
  });

  test('unknown or inherited types are unknown_type', () => {
    expect(code('{"type":"dance"}')).toBe('unknown_type');
    expect(code('{"type":"toString"}')).toBe('unknown_type');
    expect(code('{"type":"__proto__"}')).toBe('unknown_type');
  });

  test('text that is fine is passed on exactly: emoji, other scripts, new lines', () => {
    const text = 'héllo 👋🏽 日本語\nline two\ttab';
    expect(parseClientFrame(JSON.stringify({ type: 'message', sessionId: 's', text }))).toEqual({
      ok: true,
      frame: { type: 'message', sessionId: 's', text },
    });
  });

  test('schema violations are invalid and name the field', () => {
    const cases: [unknown, string][] = [
      [{}, 'type'],
      [{ type: 7 }, 'type'],
      [{ type: 'enqueue', mode: 'audio' }, 'mode'],
      [{ type: 'enqueue', interests: 'cats' }, 'interests'],
      [{ type: 'enqueue', interests: Array(11).fill('a') }, 'interests'],
      [{ type: 'enqueue', interests: [''] }, 'interests'],
      [{ type: 'enqueue', interests: ['x'.repeat(33)] }, 'interests'],
      [{ type: 'enqueue', interests: [3] }, 'interests'],
      [{ type: 'ready' }, 'sessionId'],
      [{ type: 'skip', sessionId: '' }, 'sessionId'],
      [{ type: 'message', sessionId: 's', text: '' }, 'text'],
      [{ type: 'message', sessionId: 's', text: 'x'.repeat(2001) }, 'text'],
      [{ type: 'typing', sessionId: 's', typing: 'yes' }, 'typing'],
      [{ type: 'report', sessionId: 's', reason: 'x'.repeat(501) }, 'reason'],
      [{ type: 'report', sessionId: 's' }, 'reason'],
      [{ type: 'ping', t: 'now' }, 't'],
      // Text that could not be stored or relayed as it is: NUL (PostgreSQL refuses it), lone surrogates.
      [{ type: 'enqueue', mode: null }, 'mode'],
      [{ type: 'message', sessionId: 's', text: 'a\u0000b' }, 'text'],
      [{ type: 'message', sessionId: 's', text: 'a\ud800' }, 'text'],
      [{ type: 'report', sessionId: 's', reason: 'spam\u0000' }, 'reason'],
      [{ type: 'report', sessionId: 's', reason: '\udfffspam' }, 'reason'],
      [{ type: 'enqueue', interests: ['go\ud83d'] }, 'interests'],
      [{ type: 'skip', sessionId: 's\u0000' }, 'sessionId'],
      [{ type: 'skip', sessionId: 's 1' }, 'sessionId'],
    ];
    for (const [frame, field] of cases) {
      const r = parseClientFrame(JSON.stringify(frame));
      expect(r.ok).toBe(false);
      if (!r.ok) {
        expect(r.error.code).toBe('invalid');
        expect(r.error.message.startsWith(field)).toBe(true);
      }
    }
  });
});

test('the protocol timers are the numbers PROTOCOL.md gives, read from the document itself', async () => {
  const doc = (await Bun.file(join(import.meta.dir, '../../docs/PROTOCOL.md')).text()).replace(/\s+/g, ' ');
  const seconds = (phrase: RegExp) => Number(doc.match(phrase)?.[1]) * 1000;
  expect<Record<string, number>>(PROTOCOL_TIMERS).toEqual({
    readyTimeoutMs: seconds(/not both `ready` within (\d+) s/),
    heartbeatTimeoutMs: seconds(/no frame for (\d+) s/),
    interestFallbackMs: seconds(/after (\d+) s of waiting/),
    rematchCooldownMs: seconds(/within the next (\d+) s/),
    resumeGraceMs: seconds(/resume=<token>` within (\d+) s/),
    statsIntervalMs: seconds(/right after `hello`, then every (\d+) s/),
  });
});
