/**
 * The bot check: a self-hosted proof-of-work challenge (altcha-lib, SHA-256), demanded from an
 * address that connects faster than a person would. The challenge is signed, bound to the device
 * it was issued to, expires in 5 minutes, and each solution is accepted once (the store remembers
 * the used signatures), so a solved challenge cannot be replayed. The work is deterministic: the
 * answer is a random counter up to `cost`, so the browser's effort is bounded and predictable.
 */
import { type Challenge, createChallenge, randomInt, type Solution, verifySolution } from 'altcha-lib';
import { deriveKey } from 'altcha-lib/algorithms/sha';
import type { Admission } from '../ports.ts';

const TTL_MS = 5 * 60_000;

export type Redeemed = { ok: true; device: string } | { ok: false; error: 'invalid' | 'expired' | 'replayed' };

export class BotCheck {
  constructor(
    private readonly secret: string,
    /** The largest counter the answer may be: the work a browser does, at most. */
    private readonly cost: number,
    private readonly used: Pick<Admission, 'redeem'>,
    private readonly now: () => number = Date.now,
  ) {}

  /** A fresh challenge for `device`. */
  issue(device: string): Promise<Challenge> {
    return createChallenge({
      algorithm: 'SHA-256',
      cost: 1,
      counter: randomInt(Math.max(1, Math.floor(this.cost / 2)), this.cost),
      deriveKey,
      // The bound on the work, so the page can show how far along it is.
      data: { device, maxNumber: this.cost },
      expiresAt: Math.floor((this.now() + TTL_MS) / 1000),
      hmacSignatureSecret: this.secret,
      hmacKeySignatureSecret: this.secret,
    });
  }

  /** Checks a solution (`payload`: base64 of `{ challenge, solution }`) for `device`, once. */
  async redeem(payload: unknown, device: string): Promise<Redeemed> {
    const decoded = decode(payload);
    if (!decoded || decoded.challenge.parameters.data?.device !== device) return { ok: false, error: 'invalid' };
    // altcha-lib checks expiry against its own clock; this one is the server's (and the tests').
    const expiresAt = decoded.challenge.parameters.expiresAt;
    if (typeof expiresAt === 'number' && expiresAt * 1000 < this.now()) return { ok: false, error: 'expired' };
    const result = await verifySolution({
      challenge: decoded.challenge,
      solution: decoded.solution,
      deriveKey,
      hmacSignatureSecret: this.secret,
      hmacKeySignatureSecret: this.secret,
    }).catch(() => null);
    if (result?.expired) return { ok: false, error: 'expired' };
    if (!result?.verified || !decoded.challenge.signature) return { ok: false, error: 'invalid' };
    if (!(await this.used.redeem(decoded.challenge.signature, TTL_MS))) return { ok: false, error: 'replayed' };
    return { ok: true, device };
  }
}

function decode(payload: unknown): { challenge: Challenge; solution: Solution } | null {
  if (typeof payload !== 'string' || payload.length > 8192) return null;
  try {
    const v = JSON.parse(Buffer.from(payload, 'base64').toString('utf8')) as {
      challenge?: Challenge;
      solution?: Solution;
    };
    const ok =
      typeof v?.challenge?.parameters?.nonce === 'string' &&
      typeof v.solution?.counter === 'number' &&
      typeof v.solution.derivedKey === 'string';
    return ok ? { challenge: v.challenge as Challenge, solution: v.solution as Solution } : null;
  } catch {
    return null;
  }
}
