/** The search against altcha-lib's own server side: what it finds, the server verifies. */
import { describe, expect, test } from 'bun:test';
import { createChallenge, randomInt, verifySolution } from 'altcha-lib';
import { deriveKey } from 'altcha-lib/algorithms/sha';
import { createChallenge as createV1, verifySolution as verifyV1 } from 'altcha-lib/v1';
import { readChallenge } from './altcha.ts';
import { type Progress, search } from './search.ts';

const secret = 'test-secret';
const decode = (payload: string) => JSON.parse(atob(payload));

describe('search', () => {
  test('a v2 challenge as the server issues it (deterministic, signed): the answer verifies', async () => {
    const raw = await createChallenge({
      algorithm: 'SHA-256',
      cost: 1,
      counter: randomInt(1000, 2000),
      deriveKey,
      expiresAt: Math.floor(Date.now() / 1000) + 300,
      hmacSignatureSecret: secret,
      hmacKeySignatureSecret: secret,
    });
    const task = readChallenge({ ...raw, maxNumber: 2000 });
    if (!task) throw new Error('not read');
    const seen: Progress[] = [];
    const { challenge, solution } = decode(await search(task, (p) => seen.push(p)));
    const result = await verifySolution({
      challenge,
      solution,
      deriveKey,
      hmacSignatureSecret: secret,
      hmacKeySignatureSecret: secret,
    });
    expect(result.verified).toBe(true);
    for (const p of seen) expect(p.share).toBeLessThanOrEqual(1);
  });

  test('a v1 challenge: the right number verifies, with progress after each chunk it searched', async () => {
    const raw = await createV1({ hmacKey: secret, maxnumber: 5000, number: 4321 });
    const task = readChallenge(raw);
    if (!task) throw new Error('not read');
    const seen: Progress[] = [];
    const payload = await search(task, (p) => seen.push(p));
    expect(decode(payload).number).toBe(4321);
    expect(await verifyV1(payload, secret)).toBe(true);
    expect(seen.map((p) => p.tried)).toEqual([1000, 2000, 3000, 4000]);
  });

  test('a v1 challenge with no answer in range fails', async () => {
    const raw = await createV1({ hmacKey: secret, maxnumber: 10, number: 10 });
    const task = readChallenge({ ...raw, maxnumber: 5 });
    if (!task) throw new Error('not read');
    await expect(search(task, () => {})).rejects.toThrow('no answer');
  });
});
