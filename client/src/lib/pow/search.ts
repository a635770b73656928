/**
 * The bot check's search with altcha-lib's own solvers (WebCrypto: the same in a worker and in
 * Bun), reporting progress as it goes, and the payload `POST /api/entry/challenge` takes: base64 of
 * the JSON altcha-lib's verifySolution reads for that kind of challenge.
 */
import { type DeriveKeyFunction, solveChallenge } from 'altcha-lib';
import { deriveKey as pbkdf2 } from 'altcha-lib/algorithms/web/pbkdf2';
import { deriveKey as sha } from 'altcha-lib/algorithms/web/sha';
import { solveChallenge as solveV1 } from 'altcha-lib/v1';
import { type AltchaV1, chunks, type PowTask } from './altcha.ts';

/** How far the search got: answers tried, and the share of all possible ones when that is known. */
export interface Progress {
  tried: number;
  share: number | null;
}

/** At most this often, so the page is not flooded with progress. */
const REPORT_EVERY_MS = 100;
/** A challenge expires (the server's lasts 5 minutes): a search that long has no point. */
const GIVE_UP_MS = 4 * 60_000;

const base64 = (value: unknown) => btoa(JSON.stringify(value));

/** Finds the answer to `task`; resolves with the payload, rejects when there is none. */
export function search(task: PowTask, onProgress: (p: Progress) => void): Promise<string> {
  return task.kind === 'v1' ? searchV1(task.challenge, onProgress) : searchV2(task, onProgress);
}

async function searchV2(task: Extract<PowTask, { kind: 'v2' }>, onProgress: (p: Progress) => void): Promise<string> {
  const { challenge, max } = task;
  const derive: DeriveKeyFunction = challenge.parameters.algorithm.startsWith('PBKDF2/') ? pbkdf2 : sha;
  let tried = 0;
  let reported = Date.now();
  const counting: DeriveKeyFunction = (parameters, salt, password) => {
    tried++;
    if (Date.now() - reported >= REPORT_EVERY_MS) {
      reported = Date.now();
      onProgress({ tried, share: max === null ? null : Math.min(1, tried / (max + 1)) });
    }
    return derive(parameters, salt, password);
  };
  const solution = await solveChallenge({ challenge, deriveKey: counting, timeout: GIVE_UP_MS });
  if (!solution) throw new Error('no answer found in time');
  return base64({ challenge, solution });
}

async function searchV1(c: AltchaV1, onProgress: (p: Progress) => void): Promise<string> {
  const t0 = Date.now();
  for (const [start, end] of chunks(c.maxnumber)) {
    const found = await solveV1(c.challenge, c.salt, c.algorithm, end, start).promise;
    if (found) {
      const { algorithm, challenge, salt, signature } = c;
      return base64({ algorithm, challenge, number: found.number, salt, signature, took: Date.now() - t0 });
    }
    onProgress({ tried: end + 1, share: (end + 1) / (c.maxnumber + 1) });
  }
  throw new Error('no answer in the whole range');
}
