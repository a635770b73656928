/**
 * INSPECT=1 against a running server: a receiver on the @statelyai/inspect relay gets actor,
 * event and snapshot messages, in which a user's actor steps through idle → waiting → matched →
 * inCall → skipped → waiting; chat text and tokens never reach it; the filter holds back
 * unselected users until /admin follows one.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { createWebSocketReceiver } from '@statelyai/inspect';
import { protocolState } from '../src/session/machine.ts';
import { type HelloClient as Client, pairText, TestClient } from './support/client.ts';
import { freePort, freshStores, type RunningServer, type Stores, startServer } from './support/server.ts';

type Message = {
  type: string;
  name?: string;
  sessionId: string;
  definition?: string;
  event?: { type: string; text?: string };
  snapshot?: { value?: unknown; context?: { userId?: string } & Record<string, unknown> };
};

/** Listens on the relay twice: with the library's own receiver, and raw (to search the bytes). */
function listen(port: number) {
  const parsed: Message[] = [];
  const raw: string[] = [];
  createWebSocketReceiver({ server: `ws://127.0.0.1:${port}` }).subscribe((e) => parsed.push(e as unknown as Message));
  const ws = new WebSocket(`ws://127.0.0.1:${port}`);
  ws.addEventListener('message', (e) => raw.push(String(e.data)));
  return { parsed, raw, close: () => ws.close() };
}

async function until(check: () => boolean, what: string, ms = 8000) {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await Bun.sleep(25);
  }
}

const stateOf = (m: Message) => (m.snapshot?.value === undefined ? undefined : protocolState(m.snapshot.value));

describe('the Stately inspector relay', () => {
  let stores: Stores;
  beforeAll(async () => {
    stores = await freshStores('real');
  });
  afterAll(() => stores.drop());

  test("a receiver gets actor, event and snapshot messages of a user's whole walk, sanitized", async () => {
    const port = await freePort();
    const s: RunningServer = await startServer({ ...stores.isolated(), INSPECT: '1', INSPECT_PORT: String(port) });
    const rx = listen(port);
    const clients: Client[] = [];
    try {
      const page = await (await fetch(`http://127.0.0.1:${port}/`)).text();
      expect(page).toContain('https://stately.ai/inspect'); // the bridge page frames the Stately site
      const a = await TestClient.hello(s.ws);
      const b = await TestClient.hello(s.ws);
      clients.push(a, b);
      const sid = await pairText(a, b);
      a.send({ type: 'message', sessionId: sid, text: 'inspector-must-not-see-this' });
      await b.next('message');
      a.send({ type: 'ready', sessionId: sid });
      b.send({ type: 'ready', sessionId: sid });
      await a.next('connected');
      a.send({ type: 'skip', sessionId: sid });
      await a.next('ended');
      await a.next('waiting');

      const ofA = (m: Message) => m.snapshot?.context?.userId === a.userId;
      /** The session states a's actor went through, repeats folded. */
      const walk = () =>
        rx.parsed
          .filter((m) => m.type === '@xstate.snapshot' && ofA(m))
          .map(stateOf)
          .filter((v, i, all) => v !== all[i - 1]);
      await until(() => walk().length >= 6, 'the walk back to waiting');
      const actor = rx.parsed.find((m) => m.type === '@xstate.actor' && ofA(m));
      expect(actor?.name).toBe('user');
      expect(actor?.definition).toContain('"id":"user"');
      const events = rx.parsed.filter((m) => m.type === '@xstate.event' && m.sessionId === actor?.sessionId);
      const types = events.map((m) => m.event?.type);
      for (const t of [
        'xstate.init',
        'client.enqueue',
        'queue.matched',
        'client.ready',
        'session.connected',
        'client.skip',
      ]) {
        expect(types).toContain(t);
      }
      expect(events.find((m) => m.event?.type === 'client.message')?.event?.text).toBe('[redacted]');
      expect(walk()).toEqual(['idle', 'waiting', 'matched', 'inCall', 'skipped', 'waiting']);
      const bytes = rx.raw.join('\n');
      expect(bytes).not.toContain('inspector-must-not-see-this');
      for (const c of clients) expect(bytes).not.toContain(c.resumeToken);
      expect(Object.keys(actor?.snapshot?.context ?? {}).sort()).toEqual(
        ['closing', 'conn', 'interests', 'mode', 'retryInMs', 'seq', 'session', 'since', 'userId'].sort(),
      );
    } finally {
      for (const c of clients) c.close();
      rx.close();
      await s.stop();
    }
  }, 30_000);

  test('INSPECT_FILTER=none sends nothing until /admin follows a user, then only that user', async () => {
    const port = await freePort();
    const s = await startServer({
      ...stores.isolated(),
      INSPECT: '1',
      INSPECT_PORT: String(port),
      INSPECT_FILTER: 'none',
      SERENDIP_DEV: '1',
    });
    const rx = listen(port);
    const clients: Client[] = [];
    try {
      const a = await TestClient.hello(s.ws);
      const b = await TestClient.hello(s.ws);
      clients.push(a, b);
      a.send({ type: 'ping' });
      await a.next('pong');
      await Bun.sleep(200);
      expect(rx.parsed).toEqual([]);
      const res = await fetch(`${s.url}/admin/api/inspect/${a.userId}`, { method: 'POST' });
      expect(res.status).toBe(200);
      expect((await fetch(`${s.url}/admin/api/inspect/u_nobody`, { method: 'POST' })).status).toBe(404);
      a.send({ type: 'enqueue', mode: 'text' });
      b.send({ type: 'enqueue', mode: 'text' });
      await a.next('waiting');
      await b.next('waiting');
      await until(
        () => rx.parsed.some((m) => m.type === '@xstate.event' && m.event?.type === 'client.enqueue'),
        'enqueue',
      );
      await Bun.sleep(200);
      const users = new Set(rx.parsed.map((m) => m.snapshot?.context?.userId).filter(Boolean));
      expect([...users]).toEqual([a.userId]);
      expect(rx.parsed[0]?.type).toBe('@xstate.actor');
    } finally {
      for (const c of clients) c.close();
      rx.close();
      await s.stop();
    }
  }, 30_000);
});
