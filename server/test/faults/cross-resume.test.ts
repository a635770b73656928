/**
 * Fault: a user's socket drops and the load balancer sends its reconnect to another instance (no
 * sticky sessions). Its resume token must work there as it does on the instance it left: same
 * user, same session, the partner none the wiser, chat both ways, and a normal end.
 */
import { expect, test } from 'bun:test';
import { pairText, TestClient } from '../support/client.ts';
import { recordFigure, secs, Verdict } from './support/figures.ts';
import { faultLab } from './support/lab.ts';

const GRACE_MS = 5000;
const PROMISE =
  'a resume on another instance within the grace keeps the userId and the session (matched again, same sessionId); the partner sees nothing for the grace + 1 s; chat goes both ways; skip ends it normally for both';

const lab = faultLab();
const { fleet } = lab;

/** The next frame of `c` other than stats and pong, or null if none comes within `ms`. */
const nextOrNull = (c: TestClient, ms = 3000) => c.next(undefined, ms).catch(() => null);

test('cross-instance resume: the session follows the user to the other instance', async () => {
  const [a, b] = await fleet.start(
    // Every instance behind one load balancer shares the resume secret (OPERATIONS.md).
    { ...lab.stores.isolated(), RESUME_GRACE_MS: String(GRACE_MS), RESUME_SECRET: crypto.randomUUID() },
    { INSTANCE_ID: 'resume-a' },
    { INSTANCE_ID: 'resume-b' },
  );
  if (!a || !b) throw new Error('two instances expected');
  // u2 stays on A: after the move the two are on different instances, so chat must cross.
  const u1 = await TestClient.hello(a.ws);
  const u2 = await TestClient.hello(a.ws);
  let moved: TestClient | null = null;
  try {
    const sid = await pairText(u1, u2);
    u1.send({ type: 'ready', sessionId: sid });
    u2.send({ type: 'ready', sessionId: sid });
    await u1.next('connected');
    await u2.next('connected');

    u1.close();
    const droppedAt = Date.now();
    await Bun.sleep(300);
    const reconnectAt = Date.now();
    moved = await TestClient.connect(`${b.ws}?resume=${encodeURIComponent(u1.resumeToken)}`);
    const hello = await moved.next('hello').catch(() => null);
    const again = await moved.until('matched', 3000).catch(() => null);
    const matchedMs = again ? Date.now() - reconnectAt : null;
    moved.send({ type: 'ready', sessionId: sid });
    // Quiet for the grace + 1 s after the drop: no peerLeft, nothing at all but stats and pong.
    const quiet = await u2.quiet(Math.max(0, droppedAt + GRACE_MS + 1000 - Date.now())).then(
      () => null,
      (e: Error) => e.message,
    );

    moved.send({ type: 'message', sessionId: sid, text: 'from the other instance' });
    const toU2 = await u2.until('message', 3000).catch(() => null);
    u2.send({ type: 'message', sessionId: sid, text: 'and back' });
    const toU1 = await moved.until('message', 3000).catch(() => null);
    moved.send({ type: 'skip', sessionId: sid });
    const ended = [await nextOrNull(moved), await nextOrNull(moved)];
    const left = [await nextOrNull(u2), await nextOrNull(u2)];

    const v = new Verdict();
    v.check('hello on B has the same userId', hello?.userId === u1.userId, hello?.userId ?? 'no hello');
    v.check('matched again with the same sessionId', again?.sessionId === sid, again?.sessionId ?? 'no matched');
    v.check('text mode: no media token', again !== null && again.token === null, String(again?.token));
    v.check(`the partner sees nothing for the grace + 1 s`, quiet === null, quiet ?? '');
    v.check('chat u1 → u2 after the move', toU2?.text === 'from the other instance', toU2?.text ?? 'nothing');
    v.check('chat u2 → u1 after the move', toU1?.text === 'and back', toU1?.text ?? 'nothing');
    v.check(
      'skip: u1 gets ended, then waiting',
      ended[0]?.type === 'ended' && ended[0].reason === 'skip' && ended[1]?.type === 'waiting',
      JSON.stringify(ended),
    );
    v.check(
      'skip: u2 gets peerLeft skip, then waiting',
      left[0]?.type === 'peerLeft' && left[0].reason === 'skip' && left[1]?.type === 'waiting',
      JSON.stringify(left),
    );
    recordFigure(
      'cross-instance resume',
      PROMISE,
      `matched again on the other instance ${secs(matchedMs)} after the reconnect; partner ${quiet === null ? 'saw nothing' : 'SAW SOMETHING'}`,
      { graceMs: GRACE_MS, reconnectToMatchedMs: matchedMs, partnerUndisturbed: quiet === null },
      v,
    );
    expect(v.broken).toEqual([]);
  } finally {
    moved?.close();
    u2.close();
  }
}, 60_000);
