import { expect, test } from 'bun:test';
import { solveChallenge } from 'altcha-lib';
import { deriveKey } from 'altcha-lib/algorithms/sha';
import { MemoryAdmission } from '../adapters/memory/admission.ts';
import { BotCheck } from './challenge.ts';

const limits = { open: 10, beforeChallenge: { perMinute: 10, burst: 10 }, hard: { perMinute: 10, burst: 10 } };
const encode = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64');

test('a solved challenge is accepted once, for the device it was issued to; a forged one never', async () => {
  let now = Date.now();
  const check = new BotCheck('secret-secret-secret-secret-secret', 200, new MemoryAdmission(limits), () => now);
  const challenge = await check.issue('d_one');
  const solution = await solveChallenge({ challenge, deriveKey });
  if (!solution) throw new Error('not solved');
  const payload = encode({ challenge, solution });
  expect(await check.redeem(payload, 'd_other')).toEqual({ ok: false, error: 'invalid' });
  expect(await check.redeem(payload, 'd_one')).toEqual({ ok: true, device: 'd_one' });
  expect(await check.redeem(payload, 'd_one')).toEqual({ ok: false, error: 'replayed' });
  const fresh = await check.issue('d_one');
  const guessed = encode({ challenge: fresh, solution: { counter: 1, derivedKey: '00'.repeat(32) } });
  expect(await check.redeem(guessed, 'd_one')).toEqual({ ok: false, error: 'invalid' });
  const tampered = encode({
    challenge: { ...fresh, parameters: { ...fresh.parameters, data: { device: 'd_x' } } },
    solution,
  });
  expect(await check.redeem(tampered, 'd_x')).toEqual({ ok: false, error: 'invalid' });
  expect(await check.redeem('garbage', 'd_one')).toEqual({ ok: false, error: 'invalid' });
  const late = await check.issue('d_one');
  const lateSolution = await solveChallenge({ challenge: late, deriveKey });
  now += 6 * 60_000;
  expect(await check.redeem(encode({ challenge: late, solution: lateSolution }), 'd_one')).toEqual({
    ok: false,
    error: 'expired',
  });
});
