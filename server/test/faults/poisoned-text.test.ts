/**
 * Fault: text that cannot be stored or relayed as it is — a NUL (PostgreSQL's text type cannot
 * hold one) or a lone surrogate (no UTF-8 form) — in a report reason, a chat line or an interest
 * tag. Each is refused at the door (`invalid`, naming the field) with the socket and the session
 * left alone, and nothing of it reaches the session log, which goes on writing everyone's rows.
 */
import { expect, test } from 'bun:test';
import { type HelloClient as Client, opener, pairText } from '../support/client.ts';
import { recordFigure, Verdict } from './support/figures.ts';
import { faultLab } from './support/lab.ts';
import { until } from './support/probes.ts';

const POISONS = { NUL: 'spam\u0000spam', 'lone surrogate': 'spam\ud800spam' } as const;
const FRESH_PAIRS = 5;
const PROMISE =
  'a NUL or a lone surrogate in a report reason, a chat line or an interest tag is answered with error invalid naming the field, the socket and session go on, and fresh sessions still reach PostgreSQL within a few seconds';

const lab = faultLab();
const { fleet } = lab;

/** The answer to `frame` if it is `error` `invalid` naming `field`; else what came instead. */
async function refused(c: Client, frame: unknown, field: string): Promise<string | null> {
  c.send(frame);
  const answer = await c.next(undefined, 2000).catch((e: Error) => ({ type: e.message }) as { type: string });
  const ok =
    answer.type === 'error' && 'code' in answer && answer.code === 'invalid' && String(answer.message).includes(field);
  return ok ? null : JSON.stringify(answer);
}

test('poisoned text is refused at the door and the session log goes on', async () => {
  const [server] = await fleet.start(lab.stores.isolated(), {});
  if (!server) throw new Error('one instance expected');
  const { clients, open } = opener(server.ws);
  try {
    const p1 = await open();
    const p2 = await open();
    const idle = await open();
    const sid = await pairText(p1, p2);
    const v = new Verdict();
    for (const [name, text] of Object.entries(POISONS)) {
      const report = await refused(p1, { type: 'report', sessionId: sid, reason: text }, 'reason');
      v.check(`report reason with a ${name}: invalid naming reason`, report === null, report ?? '');
      const chat = await refused(p1, { type: 'message', sessionId: sid, text }, 'text');
      v.check(`chat line with a ${name}: invalid naming text`, chat === null, chat ?? '');
      const tag = await refused(idle, { type: 'enqueue', mode: 'text', interests: ['ok', text] }, 'interests');
      v.check(`interest tag with a ${name}: invalid naming interests`, tag === null, tag ?? '');
    }
    // The sockets are open and the session goes on: chat still flows, and skip ends it normally.
    p1.send({ type: 'message', sessionId: sid, text: 'still here' });
    const relayed = await p2.until('message', 2000).catch(() => null);
    v.check('chat goes on after the poisoned frames', relayed?.text === 'still here', relayed?.text ?? 'nothing');
    p2.send({ type: 'skip', sessionId: sid });
    const ended = await p2.next(undefined, 2000).catch(() => null);
    v.check('skip still ends the session', ended?.type === 'ended', ended?.type ?? 'nothing');
    v.check(
      'no socket closed',
      clients.every((c) => c.closed === null),
    );
    for (const c of [p1, p2, idle]) c.close(); // out of the queue, so the fresh users pair each other
    await Bun.sleep(200);

    // Fresh users' sessions still reach PostgreSQL.
    const expected = [sid];
    for (let i = 0; i < FRESH_PAIRS; i++) {
      const [x, y] = [await open(), await open()];
      const fresh = await pairText(x, y);
      x.send({ type: 'skip', sessionId: fresh });
      await x.next('ended');
      expected.push(fresh);
      x.close();
      y.close();
    }
    const written = async () => {
      const rows = new Map((await lab.stores.sessions()).map((r) => [r.session_id, r]));
      return expected.filter((id) => rows.get(id)?.ended_at != null).length;
    };
    await until(async () => (await written()) === expected.length, 5000);
    const rows = await written();
    v.check(
      'every session after the poisoned frames is in PostgreSQL within 5 s',
      rows === expected.length,
      `${rows} of ${expected.length}`,
    );
    recordFigure(
      'poisoned text',
      PROMISE,
      `rows written after the poisoned frames ${rows} of ${expected.length}; ${v.held ? 'every poisoned frame refused as invalid' : 'some poisoned frames NOT refused'}`,
      { rowsWritten: rows, rowsExpected: expected.length },
      v,
    );
    expect(v.broken).toEqual([]);
  } finally {
    for (const c of clients) c.close();
  }
}, 60_000);
