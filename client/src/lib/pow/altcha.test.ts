import { describe, expect, test } from 'bun:test';
import { chunks, readChallenge } from './altcha.ts';

const v1 = { algorithm: 'SHA-256', challenge: 'ab', maxnumber: 50, salt: 's&', signature: 'x' };
const v2 = {
  parameters: { algorithm: 'SHA-256', nonce: 'aa', salt: 'bb', cost: 1, keyLength: 32, keyPrefix: '00' },
  signature: 'sig',
};

describe('readChallenge', () => {
  test('a v2 challenge (parameters and signature), with its maximum when the server names one', () => {
    expect(readChallenge(v2)).toEqual({ kind: 'v2', challenge: v2, max: null });
    expect(readChallenge({ ...v2, maxNumber: 5000 })).toMatchObject({ kind: 'v2', max: 5000 });
    const withData = { ...v2, parameters: { ...v2.parameters, data: { maxNumber: 700 } } };
    expect(readChallenge(withData)).toMatchObject({ max: 700 });
  });

  test('a v1 challenge, its maximum under either spelling or the default', () => {
    expect(readChallenge(v1)).toEqual({ kind: 'v1', challenge: v1, max: 50 });
    const { maxnumber: _, ...rest } = v1;
    expect(readChallenge({ ...rest, maxNumber: 9 })).toMatchObject({ max: 9, challenge: { maxnumber: 9 } });
    expect(readChallenge(rest)).toMatchObject({ max: 1_000_000 });
  });

  test('what this page cannot solve is none', () => {
    const p = v2.parameters;
    for (const bad of [
      null,
      'x',
      { ...v1, salt: '' },
      { ...v1, maxnumber: -1 },
      { ...v2, parameters: { ...p, algorithm: 'ARGON2ID' } },
      { ...v2, parameters: { ...p, cost: 0 } },
      { parameters: p },
    ])
      expect(readChallenge(bad)).toBeNull();
  });
});

describe('chunks', () => {
  test('cover 0..max once, in order, in about a hundred steps', () => {
    for (const max of [0, 999, 1000, 123_457, 1_000_000]) {
      const cs = chunks(max);
      expect(cs[0]?.[0]).toBe(0);
      expect(cs.at(-1)?.[1]).toBe(max);
      for (let i = 1; i < cs.length; i++) expect(cs[i]?.[0]).toBe((cs[i - 1]?.[1] ?? 0) + 1);
      expect(cs.length).toBeLessThanOrEqual(101);
    }
  });
});
