/**
 * Fault: an instance dies with SIGKILL in the middle of churn. Nothing it knew may be lost: every
 * session any client was told of is in PostgreSQL with its end, and every user whose partner was
 * on the dead instance is told (`peerLeft`, `disconnect`) once the survivors see it is gone.
 */
import { expect, test } from 'bun:test';
import { Churn, type SeenSession } from './support/churn.ts';
import { recordFigure, secs, Verdict } from './support/figures.ts';
import { faultLab } from './support/lab.ts';

const TTL_MS = 3000;
const PROMISE = `0 session rows lost; every partner of a user on the killed instance told (peerLeft disconnect) within INSTANCE_TTL_MS + 3 s (${TTL_MS + 3000} ms)`;

const lab = faultLab();
const { fleet } = lab;

/**
 * Sessions of a user on B whose partner was on A (or never heard of its match: A was gone), still
 * open at the kill. `diedAt`: when A's process was gone (a skip its users sent until then may have
 * been handled); `stoppedAt`: when the churn began closing every socket (a session formed from then
 * on with one member seen lost its other member to that close, not to the kill).
 */
function orphansOf(sessions: Iterable<SeenSession>, t: { killedAt: number; diedAt: number; stoppedAt: number }) {
  const { killedAt, diedAt, stoppedAt } = t;
  const out: { s: SeenSession; heard: { reason: string; at: number } | null; mayBeSkip: boolean }[] = [];
  for (const s of sessions) {
    const onB = s.members.find((m) => m.label === 'B');
    const other = s.members.find((m) => m !== onB);
    if (!onB || other?.label === 'B') continue;
    if (!other && s.firstMatchedAt >= stoppedAt) continue;
    const end = s.ends.get(onB);
    if (end && end.at < killedAt) continue;
    if (s.skip?.by === onB) continue; // it left by itself, and gets `ended` for its own skip
    // A skip the partner sent before its instance was gone may still have closed the session first.
    const mayBeSkip = s.skip !== null && s.skip.by === other && s.skip.at < diedAt;
    out.push({ s, heard: end?.type === 'peerLeft' ? end : null, mayBeSkip });
  }
  return out;
}

test('kill -9 mid-churn: no session row is lost, and orphaned partners are told', async () => {
  const shared = { ...lab.stores.isolated(), INSTANCE_TTL_MS: String(TTL_MS), RESUME_GRACE_MS: '500' };
  const [a, b] = await fleet.start(shared, { INSTANCE_ID: 'kill-a' }, { INSTANCE_ID: 'kill-b' });
  if (!a || !b) throw new Error('two instances expected');
  const churn = await Churn.start({
    targets: [
      { label: 'A', ws: a.ws },
      { label: 'B', ws: b.ws },
    ],
    clients: 100,
    skipAfterMs: [50, 250],
  });
  await Bun.sleep(3000);
  const killedAt = Date.now();
  await a.kill();
  const diedAt = Date.now();
  churn.lost('A');
  await Bun.sleep(TTL_MS + 3000);
  const stoppedAt = Date.now();
  await churn.stop();
  await Bun.sleep(1000); // the closed sockets' sessions end on B before it drains
  const exit = await fleet.stop(b);

  const rows = new Map((await lab.stores.sessions()).map((r) => [r.session_id, r]));
  const seen = [...churn.sessions.keys()];
  const missing = seen.filter((id) => !rows.has(id));
  const open = seen.filter((id) => rows.get(id)?.ended_at === null);
  const orphans = orphansOf(churn.sessions.values(), { killedAt, diedAt, stoppedAt });
  const untold = orphans.filter((o) => o.heard === null);
  const wrongReason = orphans.filter(
    (o) => o.heard && o.heard.reason !== 'disconnect' && !(o.mayBeSkip && o.heard.reason === 'skip'),
  );
  const toldMs = orphans.length === 0 ? 0 : Math.max(...orphans.map((o) => (o.heard?.at ?? Number.NaN) - killedAt));
  const worst = untold.length > 0 ? null : toldMs;
  if (untold.length + wrongReason.length + open.length > 0) {
    // What a failure looks like from the clients, times from the kill: enough to tell a race from a loss.
    const show = (sid: string) => {
      const s = churn.sessions.get(sid) as SeenSession;
      const ms = (t: number | null) => (t === null ? null : t - killedAt);
      return JSON.stringify({
        sid,
        row: rows.get(sid) ?? null,
        formed: ms(s.firstMatchedAt),
        members: s.members.map((m) => ({ on: m.label, closed: ms(m.closedAt) })),
        skip: s.skip && { on: s.skip.by.label, at: ms(s.skip.at) },
        ends: [...s.ends].map(([c, h]) => ({ on: c.label, ...h, at: ms(h.at) })),
      });
    };
    for (const o of untold) console.log(`[kill -9] never told: ${show(o.s.sid)}`);
    for (const o of wrongReason) console.log(`[kill -9] told ${o.heard?.reason}: ${show(o.s.sid)}`);
    for (const id of open) console.log(`[kill -9] row without an end: ${show(id)}`);
  }

  const v = new Verdict();
  v.check('sessions were seen before the kill', churn.formedBetween(0, killedAt).length > 0);
  v.check('the kill orphaned some partners (else the case proves nothing)', orphans.length > 0);
  v.check('B drained with exit code 0', exit === 0, String(exit));
  v.check('0 rows missing', missing.length === 0, `${missing.length} missing`);
  v.check('0 rows without an end', open.length === 0, `${open.length} with ended_at null`);
  v.check('every orphaned partner told', untold.length === 0, `${untold.length} of ${orphans.length} never told`);
  v.check('told with reason disconnect', wrongReason.length === 0, wrongReason.map((o) => o.heard?.reason).join(','));
  v.check(`told within ${TTL_MS + 3000} ms`, worst !== null && worst <= TTL_MS + 3000, secs(worst));
  recordFigure(
    'kill -9',
    PROMISE,
    `rows lost ${missing.length + open.length} of ${seen.length} sessions (${missing.length} missing, ${open.length} without end); ${orphans.length} orphaned partners told in ${secs(worst)}`,
    {
      sessionsSeen: seen.length,
      rowsMissing: missing.length,
      rowsWithoutEnd: open.length,
      rowsLost: missing.length + open.length,
      orphanedPartners: orphans.length,
      orphansNeverTold: untold.length,
      partnersToldMs: worst,
      ttlMs: TTL_MS,
    },
    v,
  );
  expect(v.broken).toEqual([]);
}, 90_000);
