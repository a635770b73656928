import { describe, expect, test } from 'bun:test';
import { decodeBase64 } from './base64.ts';

describe('decodeBase64', () => {
  test('decodes to the bytes that were encoded, with or without the native decoder', () => {
    const bytes = new Uint8Array([0, 1, 2, 250, 255, 128, 64]);
    const text = Buffer.from(bytes).toString('base64');
    expect(decodeBase64(text)).toEqual(bytes);
    const native = Object.getOwnPropertyDescriptor(Uint8Array, 'fromBase64');
    if (native) delete (Uint8Array as unknown as Record<string, unknown>).fromBase64;
    try {
      expect(decodeBase64(text)).toEqual(bytes);
    } finally {
      if (native) Object.defineProperty(Uint8Array, 'fromBase64', native);
    }
  });
});
