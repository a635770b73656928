/**
 * Fault: an instance freezes (SIGSTOP) past its liveness TTL, the others sweep it, and then it
 * wakes up (SIGCONT) as if nothing happened. Its users must not stay in a world that no longer
 * exists: the one whose session was closed by the sweep is told so, and the one that was queued
 * is queued again, where users on other instances can find it.
 */
import { expect, test } from 'bun:test';
import { opener, type TestClient } from '../support/client.ts';
import { recordFigure, secs, Verdict } from './support/figures.ts';
import { faultLab } from './support/lab.ts';

const TTL_MS = 2000;
const PROMISE =
  'within ~5 s of SIGCONT, the frozen instance tells its in-session user its session closed (peerLeft disconnect, then waiting) and puts its queued user back in the shared queue (matched with a user on another instance)';

const lab = faultLab();
const { fleet } = lab;

/** When `c` got its next frame of `type` (for `sid`, when given) within `ms`, and the frame; else null. */
async function heard<T extends 'peerLeft' | 'matched'>(c: TestClient, type: T, ms: number, sid?: string) {
  const frame = await c.until(type, ms).catch(() => null);
  // Both kinds carry a sessionId; TypeScript cannot see that through the generic.
  if (!frame || (sid !== undefined && (frame as { sessionId: string }).sessionId !== sid)) return null;
  return { at: Date.now(), frame };
}

test('SIGSTOP past the TTL: after SIGCONT the frozen instance tells its users and re-queues them', async () => {
  const [a, b] = await fleet.start(
    { ...lab.stores.isolated(), INSTANCE_TTL_MS: String(TTL_MS), RESUME_GRACE_MS: '1000' },
    { INSTANCE_ID: 'stop-a' },
    { INSTANCE_ID: 'stop-b' },
  );
  if (!a || !b) throw new Error('two instances expected');
  const { clients, open } = opener();
  try {
    // a1 (text, on A) with b1 (text, on B); a2 waits alone in the video queue, so nobody but a
    // video user (b2, later) can take it and the pairs below cannot cross.
    const a1 = await open(a.ws);
    const b1 = await open(b.ws);
    const a2 = await open(a.ws);
    a1.send({ type: 'enqueue', mode: 'text' });
    await a1.next('waiting');
    b1.send({ type: 'enqueue', mode: 'text' });
    const sid = (await a1.next('matched')).sessionId;
    expect((await b1.until('matched')).sessionId).toBe(sid);
    a2.send({ type: 'enqueue', mode: 'video' });
    await a2.next('waiting');

    fleet.pause(a);
    const pausedAt = Date.now();
    const swept = await heard(b1, 'peerLeft', TTL_MS + 3000, sid);
    await Bun.sleep(Math.max(0, pausedAt + TTL_MS + 3000 - Date.now()));
    b1.send({ type: 'cancel' }); // out of the way: only b2 and b3 are there to meet A's users
    await b1.until('idle', 2000).catch(() => null);
    const b2 = await open(b.ws);
    const b3 = await open(b.ws);
    fleet.resume(a);
    const resumedAt = Date.now();
    b2.send({ type: 'enqueue', mode: 'video' });
    b3.send({ type: 'enqueue', mode: 'text' });

    const [told, a2Matched, b2Matched] = await Promise.all([
      heard(a1, 'peerLeft', 8000, sid),
      heard(a2, 'matched', 8000),
      heard(b2, 'matched', 8000),
    ]);
    const afterTold = told ? await a1.next().catch(() => null) : null;
    const a1Again = told ? await heard(a1, 'matched', 5000) : null;
    const b3Matched = a1Again ? await heard(b3, 'matched', 2000) : null;

    const toldMs = told ? told.at - resumedAt : null;
    const a2Ms = a2Matched ? a2Matched.at - resumedAt : null;
    const v = new Verdict();
    v.check('B swept A: b1 told peerLeft disconnect', swept?.frame.reason === 'disconnect', swept?.frame.reason);
    v.check('a1 told peerLeft disconnect', told?.frame.reason === 'disconnect', told ? told.frame.reason : 'nothing');
    v.check('a1 told within 5 s of SIGCONT', toldMs !== null && toldMs <= 5000, secs(toldMs));
    v.check('waiting follows peerLeft', afterTold?.type === 'waiting', afterTold?.type ?? 'nothing');
    v.check('a2 matched within 5 s of SIGCONT', a2Ms !== null && a2Ms <= 5000, secs(a2Ms));
    v.check(
      'a2 matched with b2 (a user on B)',
      a2Matched !== null && b2Matched !== null && a2Matched.frame.sessionId === b2Matched.frame.sessionId,
    );
    v.check(
      'a1, re-queued, matched with b3',
      a1Again !== null && a1Again.frame.sessionId === b3Matched?.frame.sessionId,
    );
    recordFigure(
      'SIGSTOP past the TTL',
      PROMISE,
      `after SIGCONT the in-session user was told in ${secs(toldMs)}, the queued user matched in ${secs(a2Ms)}`,
      { ttlMs: TTL_MS, toldAfterSigcontMs: toldMs, queuedMatchedAfterSigcontMs: a2Ms },
      v,
    );
    expect(v.broken).toEqual([]);
  } finally {
    for (const c of clients) c.close();
  }
}, 60_000);
