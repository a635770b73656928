import { describe, expect, test } from 'bun:test';
import { decodeEntry, unknownEntry } from './entry.ts';
import { DEFAULT_SAFE_CONFIG } from './safety/shield.ts';

describe('decodeEntry', () => {
  test('reads what the server says', () => {
    const challenge = { algorithm: 'SHA-256', challenge: 'c', maxnumber: 1000, salt: 's', signature: 'x' };
    expect(
      decodeEntry({
        adult: true,
        banned: { until: 1_800_000_000_000, reason: 'spam' },
        challenge,
        safeMode: { unsafe: ['Porn'], threshold: 0.8 },
        device: 'd_abc',
      }),
    ).toEqual({
      adult: true,
      banned: { until: 1_800_000_000_000, reason: 'spam' },
      challenge,
      safeMode: { unsafe: ['Porn'], threshold: 0.8 },
      device: 'd_abc',
    });
  });

  test('a ban for good, and defaults for what is missing or wrongly typed', () => {
    expect(decodeEntry({ adult: false, banned: { until: null }, safeMode: { unsafe: 'Porn', threshold: 7 } })).toEqual({
      adult: false,
      banned: { until: null, reason: '' },
      challenge: null,
      safeMode: DEFAULT_SAFE_CONFIG,
      device: null,
    });
  });

  test('anything that is not an entry is none (an old server answers with its index page)', () => {
    for (const v of [null, [], 'html', { banned: null }, { adult: 'yes' }]) expect(decodeEntry(v)).toBeNull();
    expect(unknownEntry()).toMatchObject({ adult: false, banned: null, challenge: null });
  });
});
