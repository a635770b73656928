/**
 * PROTOCOL.md, end to end, against real server processes. Run twice: with real Redis and
 * PostgreSQL (protocol.real.test.ts) and on the embedded defaults (protocol.embedded.test.ts).
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { type HelloClient as Client, opener, TestClient } from './support/client.ts';
import { type Backend, freshStores, type RunningServer, type Stores, startServer } from './support/server.ts';

export function protocolSuite(backend: Backend): void {
  describe(`protocol (${backend === 'real' ? 'Redis + PostgreSQL' : 'embedded defaults'})`, () => {
    let stores: Stores;
    const sessionIds = new Set<string>();

    beforeAll(async () => {
      stores = await freshStores(backend);
    });
    afterAll(async () => {
      await stores.drop();
    });

    /** Runs `fn` against a fresh server (own Redis prefix), closes its clients, stops it cleanly. */
    async function withServer(
      env: Record<string, string>,
      fn: (s: RunningServer, open: () => Promise<Client>) => Promise<void>,
    ) {
      const server = await startServer({
        ...stores.isolated(),
        INTEREST_FALLBACK_MS: '600',
        RESUME_GRACE_MS: '400',
        ...env,
      });
      const { clients, open } = opener(server.ws);
      try {
        await fn(server, open);
      } finally {
        for (const c of clients) {
          for (const f of c.frames) if (f.type === 'matched') sessionIds.add(f.sessionId);
          c.close();
        }
        await Bun.sleep(50);
        expect(await server.stop()).toBe(0);
      }
    }

    const pair = async (open: () => Promise<Client>) => {
      const a = await open();
      const b = await open();
      a.send({ type: 'enqueue' });
      expect((await a.next('waiting')).since).toBeNumber();
      b.send({ type: 'enqueue' });
      await b.next('waiting');
      const ma = await a.next('matched');
      const mb = await b.next('matched');
      expect(ma.sessionId).toBe(mb.sessionId);
      return { a, b, sid: ma.sessionId };
    };

    test('hello comes first, then stats; ping is answered with pong', () =>
      withServer({}, async (server) => {
        const c = await TestClient.connect(server.ws);
        const hello = await c.next('hello');
        expect(hello).toMatchObject({ type: 'hello', protocol: 1, video: false });
        expect(hello.userId).toBeString();
        expect(hello.resumeToken).toBeString();
        const stats = await c.next('stats');
        expect(stats.online).toBeGreaterThanOrEqual(1);
        expect(stats.waiting).toBe(0);
        c.send({ type: 'ping', t: 42 });
        expect(await c.next('pong')).toEqual({ type: 'pong', t: 42 });
        c.send({ type: 'ping' });
        expect(await c.next('pong')).toEqual({ type: 'pong' });
        c.close();
      }));

    test('two clients pair, chat both ways, see typing, and connect when both are ready', () =>
      withServer({}, async (_s, open) => {
        const { a, b, sid } = await pair(open);
        const m = a.frames.find((f) => f.type === 'matched');
        expect(m).toEqual({
          type: 'matched',
          sessionId: sid,
          mode: 'video',
          commonInterests: [],
          room: null,
          token: null,
          livekitUrl: null,
        });
        a.send({ type: 'message', sessionId: sid, text: 'hello stranger' });
        const got = await b.next('message');
        expect(got).toMatchObject({ sessionId: sid, text: 'hello stranger' });
        expect(got.at).toBeNumber();
        b.send({ type: 'typing', sessionId: sid, typing: true });
        expect(await a.next('typing')).toEqual({ type: 'typing', sessionId: sid, typing: true });
        b.send({ type: 'message', sessionId: sid, text: 'hi!' });
        expect((await a.next('message')).text).toBe('hi!');
        a.send({ type: 'ready', sessionId: sid });
        b.send({ type: 'ready', sessionId: sid });
        expect(await a.next('connected')).toEqual({ type: 'connected', sessionId: sid });
        expect(await b.next('connected')).toEqual({ type: 'connected', sessionId: sid });
        a.send({ type: 'ready', sessionId: sid }); // a second ready is harmless
        await a.quiet(100);
        await b.quiet(0); // and nothing was echoed to the senders
      }));

    test('skip acknowledges with ended then waiting, and re-queues the partner with peerLeft then waiting', () =>
      withServer({}, async (_s, open) => {
        const { a, b, sid } = await pair(open);
        a.send({ type: 'skip', sessionId: sid });
        expect(await a.next()).toEqual({ type: 'ended', sessionId: sid, reason: 'skip' });
        expect((await a.next()).type).toBe('waiting');
        expect(await b.next()).toEqual({ type: 'peerLeft', sessionId: sid, reason: 'skip' });
        expect((await b.next()).type).toBe('waiting');
      }));

    test('with four clients, two skips give both skippers and both partners new partners', () =>
      withServer({}, async (_s, open) => {
        const one = await pair(open);
        const two = await pair(open);
        one.a.send({ type: 'skip', sessionId: one.sid });
        two.a.send({ type: 'skip', sessionId: two.sid });
        const next = new Map<string, string>();
        for (const [name, c] of Object.entries({ a1: one.a, b1: one.b, a2: two.a, b2: two.b })) {
          next.set(name, (await c.until('matched', 5000)).sessionId);
        }
        // Each new session joins someone from the other old pair.
        const partnerOf = (n: string) => [...next].find(([m, s]) => m !== n && s === next.get(n))?.[0];
        for (const n of ['a1', 'b1']) expect(['a2', 'b2']).toContain(partnerOf(n) ?? '');
        for (const n of ['a2', 'b2']) expect(['a1', 'b1']).toContain(partnerOf(n) ?? '');
      }));

    test('end sends the ender idle and re-queues the partner', () =>
      withServer({}, async (_s, open) => {
        const { a, b, sid } = await pair(open);
        a.send({ type: 'end', sessionId: sid });
        expect(await a.next()).toEqual({ type: 'ended', sessionId: sid, reason: 'end' });
        expect(await a.next()).toEqual({ type: 'idle' });
        expect(await b.next()).toEqual({ type: 'peerLeft', sessionId: sid, reason: 'end' });
        expect((await b.next()).type).toBe('waiting');
        await a.quiet(100);
      }));

    test('report ends the session like skip, and the two never meet again', () =>
      withServer({ INTEREST_FALLBACK_MS: '100' }, async (_s, open) => {
        const { a, b, sid } = await pair(open);
        a.send({ type: 'report', sessionId: sid, reason: 'rude' });
        expect(await a.next()).toEqual({ type: 'ended', sessionId: sid, reason: 'report' });
        await a.next('waiting');
        expect(await b.next()).toEqual({ type: 'peerLeft', sessionId: sid, reason: 'report' });
        await b.next('waiting');
        await a.quiet(800); // alone together past the fallback time, and still not paired
      }));

    test('cancel leaves the queue; frames in the wrong state get bad_state', () =>
      withServer({}, async (_s, open) => {
        const a = await open();
        a.send({ type: 'cancel' });
        expect(await a.next('error')).toMatchObject({ code: 'bad_state' });
        a.send({ type: 'enqueue', mode: 'text', interests: ['Chess'] });
        await a.next('waiting');
        a.send({ type: 'enqueue' });
        expect(await a.next('error')).toMatchObject({ code: 'bad_state' });
        a.send({ type: 'cancel' });
        expect(await a.next()).toEqual({ type: 'idle' });
        const b = await open();
        b.send({ type: 'enqueue', mode: 'text' });
        await b.next('waiting');
        await b.quiet(200); // a is gone from the queue
      }));

    test('a socket close re-queues the partner after the resume grace', () =>
      withServer({}, async (_s, open) => {
        const { a, b, sid } = await pair(open);
        a.close();
        await b.quiet(200); // within the grace period the partner sees nothing
        expect(await b.next()).toEqual({ type: 'peerLeft', sessionId: sid, reason: 'disconnect' });
        expect((await b.next()).type).toBe('waiting');
      }));

    test('a waiting user leaves the queue the moment its socket closes', () =>
      withServer({}, async (_s, open) => {
        const a = await open();
        a.send({ type: 'enqueue' });
        await a.next('waiting');
        a.close();
        await Bun.sleep(100);
        const b = await open();
        b.send({ type: 'enqueue' });
        await b.next('waiting');
        await b.quiet(300);
      }));

    test('resume within the grace period keeps the user and the session; the partner sees nothing', () =>
      withServer({ RESUME_GRACE_MS: '3000' }, async (server, open) => {
        const { a, b, sid } = await pair(open);
        a.close();
        await Bun.sleep(100);
        const again = await TestClient.connect(`${server.ws}?resume=${encodeURIComponent(a.resumeToken)}`);
        const hello = await again.next('hello');
        expect(hello.userId).toBe(a.userId);
        expect(await again.next('matched')).toMatchObject({ sessionId: sid });
        again.send({ type: 'message', sessionId: sid, text: 'back' });
        expect((await b.next()).type).toBe('message');
        again.close();
      }));

    test('a late skip for an old session gets stale_session and does not touch the new one', () =>
      withServer({}, async (_s, open) => {
        const { a, b, sid } = await pair(open);
        const c = await open();
        c.send({ type: 'enqueue' });
        await c.next('waiting');
        // a skips: its claim closes the session and takes c, who was waiting.
        a.send({ type: 'skip', sessionId: sid });
        await a.next('ended');
        await a.next('waiting');
        await b.next('peerLeft');
        const fresh = await a.next('matched');
        expect(fresh.sessionId).not.toBe(sid);
        await c.next('matched');
        a.send({ type: 'skip', sessionId: sid });
        expect(await a.next()).toMatchObject({ type: 'error', code: 'stale_session' });
        a.send({ type: 'end', sessionId: sid });
        expect(await a.next()).toMatchObject({ type: 'error', code: 'stale_session' });
        a.send({ type: 'message', sessionId: fresh.sessionId, text: 'still here' });
        expect(await c.next('message')).toMatchObject({ sessionId: fresh.sessionId, text: 'still here' });
      }));

    test('interests pair the right people, then fall back to anyone after the timer', () =>
      withServer({ INTEREST_FALLBACK_MS: '700' }, async (_s, open) => {
        const cats = await open();
        const dogs = await open();
        const dogs2 = await open();
        cats.send({ type: 'enqueue', interests: ['cats'] });
        await cats.next('waiting');
        dogs.send({ type: 'enqueue', interests: ['DOGS'] });
        await dogs.next('waiting');
        dogs2.send({ type: 'enqueue', interests: ['birds', 'dogs'] });
        await dogs2.next('waiting');
        expect((await dogs2.next('matched')).commonInterests).toEqual(['dogs']);
        expect((await dogs.next('matched')).commonInterests).toEqual(['dogs']);
        const none = await open();
        none.send({ type: 'enqueue' });
        await none.next('waiting');
        const started = Date.now();
        const m = await none.next('matched', 3000);
        expect(m.commonInterests).toEqual([]);
        expect(Date.now() - started).toBeGreaterThanOrEqual(300);
        expect((await cats.next('matched')).sessionId).toBe(m.sessionId);
      }));

    test('bad frames get clear errors and the socket stays open; abuse closes it with 1008', () =>
      withServer({ ABUSE_THRESHOLD: '8' }, async (_s, open) => {
        const a = await open();
        a.send('not json');
        expect(await a.next()).toMatchObject({ type: 'error', code: 'bad_frame' });
        a.ws.send(new Uint8Array([1, 2, 3]));
        expect(await a.next()).toMatchObject({ type: 'error', code: 'bad_frame' });
        a.send('[1,2]');
        expect(await a.next()).toMatchObject({ type: 'error', code: 'bad_frame' });
        a.send({ type: 'message', sessionId: 'x', text: 'a'.repeat(9000) });
        expect(await a.next()).toMatchObject({ type: 'error', code: 'bad_frame' });
        a.send({ type: 'dance' });
        expect(await a.next()).toMatchObject({ type: 'error', code: 'unknown_type' });
        a.send({ type: 'enqueue', mode: 'audio' });
        const invalid = await a.next();
        expect(invalid).toMatchObject({ type: 'error', code: 'invalid' });
        expect(invalid.type === 'error' && invalid.message).toContain('mode');
        a.send({ type: 'skip' });
        expect(await a.next()).toMatchObject({ type: 'error', code: 'invalid' });
        a.send({ type: 'ping', t: 1 });
        expect(await a.next('pong')).toEqual({ type: 'pong', t: 1 });
        for (let i = 0; i < 10; i++) a.send('garbage');
        expect((await a.waitClosed()).code).toBe(1008);
        // Another user was untouched.
        const b = await open();
        b.send({ type: 'ping', t: 2 });
        expect(await b.next('pong')).toEqual({ type: 'pong', t: 2 });
      }));

    test('flooding gets rate_limited with retryAfterMs', () =>
      withServer({ RATE_FRAMES_PER_SECOND: '5', RATE_FRAME_BURST: '5' }, async (_s, open) => {
        const a = await open();
        for (let i = 0; i < 8; i++) a.send({ type: 'ping', t: i });
        await Bun.sleep(300);
        expect(a.frames.filter((f) => f.type === 'pong')).toHaveLength(5);
        const errors = a.frames.filter((f) => f.type === 'error');
        expect(errors.length).toBeGreaterThan(0);
        expect(errors[0]).toMatchObject({ code: 'rate_limited' });
        expect(errors[0]?.retryAfterMs).toBeGreaterThan(0);
      }));

    test('a matched pair that never gets ready ends with timeout for both, then both wait again', () =>
      withServer({ READY_TIMEOUT_MS: '300' }, async (_s, open) => {
        const { a, b, sid } = await pair(open);
        expect(await a.next()).toEqual({ type: 'peerLeft', sessionId: sid, reason: 'timeout' });
        expect((await a.next()).type).toBe('waiting');
        expect(await b.next()).toEqual({ type: 'peerLeft', sessionId: sid, reason: 'timeout' });
        expect((await b.next()).type).toBe('waiting');
      }));

    test('a silent client is disconnected after the heartbeat timeout; its partner is re-queued', () =>
      withServer({ HEARTBEAT_TIMEOUT_MS: '500' }, async (_s, open) => {
        const { a, b, sid } = await pair(open);
        const keepAlive = setInterval(() => b.send({ type: 'ping' }), 100);
        try {
          expect((await a.waitClosed(3000)).code).toBe(4000);
          expect(await b.next('peerLeft', 3000)).toEqual({ type: 'peerLeft', sessionId: sid, reason: 'disconnect' });
          await b.next('waiting');
        } finally {
          clearInterval(keepAlive);
        }
      }));

    test(
      '1,000 clients enqueue at once: exactly 500 pairs, nobody twice, nobody with itself',
      () =>
        withServer({}, async (server) => {
          const clients = await Promise.all(Array.from({ length: 1000 }, () => TestClient.hello(server.ws)));
          try {
            for (const c of clients) c.send({ type: 'enqueue' });
            const sessions = new Map<string, string[]>();
            for (const c of clients) {
              const m = await c.until('matched', 20_000);
              sessions.set(m.sessionId, [...(sessions.get(m.sessionId) ?? []), c.userId]);
            }
            expect(sessions.size).toBe(500);
            for (const members of sessions.values()) {
              expect(members).toHaveLength(2);
              expect(members[0]).not.toBe(members[1]);
            }
            for (const c of clients) expect(c.frames.filter((f) => f.type === 'matched')).toHaveLength(1);
          } finally {
            for (const c of clients) {
              for (const f of c.frames) if (f.type === 'matched') sessionIds.add(f.sessionId);
              c.close();
            }
          }
        }),
      60_000,
    );

    test('every session that started is in PostgreSQL with its end', async () => {
      expect(sessionIds.size).toBeGreaterThan(500);
      const rows = await stores.sessions();
      const byId = new Map(rows.map((r) => [r.session_id, r]));
      const missing = [...sessionIds].filter((id) => !byId.has(id));
      expect(missing).toEqual([]);
      const open = rows.filter((r) => r.ended_at === null || r.end_reason === null || r.ended_by === null);
      expect(open).toEqual([]);
    });
  });
}
