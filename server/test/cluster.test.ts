/**
 * Several instances on one Redis: users on different instances pair, chat and skip; an instance
 * that dies has its users swept and their partners re-queued; a bad setting stops the server with
 * one line naming the variable.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { pairText, TestClient } from './support/client.ts';
import { freshStores, type RunningServer, type Stores, startServer } from './support/server.ts';

describe('two instances, one Redis', () => {
  let stores: Stores;
  let one: RunningServer;
  let two: RunningServer;

  beforeAll(async () => {
    stores = await freshStores('real');
    one = await startServer({ ...stores.env, INSTANCE_ID: 'one', RESUME_GRACE_MS: '200', STATS_INTERVAL_MS: '300' });
    two = await startServer({ ...stores.env, INSTANCE_ID: 'two', RESUME_GRACE_MS: '200', STATS_INTERVAL_MS: '300' });
  });
  afterAll(async () => {
    await one.stop();
    await two.stop();
    await stores.drop();
  });

  test('users on different instances pair, chat, get connected and skip', async () => {
    const a = await TestClient.hello(one.ws);
    const b = await TestClient.hello(two.ws);
    const sid = await pairText(a, b);
    b.send({ type: 'message', sessionId: sid, text: 'across instances' });
    expect(await a.next('message')).toMatchObject({ text: 'across instances' });
    a.send({ type: 'typing', sessionId: sid, typing: true });
    expect(await b.next('typing')).toMatchObject({ typing: true });
    a.send({ type: 'ready', sessionId: sid });
    b.send({ type: 'ready', sessionId: sid });
    await a.next('connected');
    await b.next('connected');
    a.send({ type: 'skip', sessionId: sid });
    expect(await a.next()).toEqual({ type: 'ended', sessionId: sid, reason: 'skip' });
    expect(await b.next()).toEqual({ type: 'peerLeft', sessionId: sid, reason: 'skip' });
    a.close();
    b.close();
  });

  test('stats count users across instances', async () => {
    const a = await TestClient.hello(one.ws);
    const b = await TestClient.hello(two.ws);
    const c = await TestClient.hello(two.ws);
    let online = 0;
    const deadline = Date.now() + 8000;
    while (online < 3 && Date.now() < deadline) online = (await a.until('stats', 8000)).online;
    expect(online).toBeGreaterThanOrEqual(3);
    for (const x of [a, b, c]) x.close();
  });

  test('when an instance dies, the others sweep its users and re-queue their partners', async () => {
    const doomed = await startServer({ ...stores.env, INSTANCE_ID: 'doomed', INSTANCE_TTL_MS: '1500' });
    const a = await TestClient.hello(one.ws);
    const b = await TestClient.hello(doomed.ws);
    b.send({ type: 'enqueue' });
    await b.next('waiting');
    a.send({ type: 'enqueue' });
    await a.next('waiting');
    const sid = (await a.next('matched')).sessionId;
    await doomed.kill();
    const keepAlive = setInterval(() => a.send({ type: 'ping' }), 1000);
    try {
      // Dead once its last beat is older than the TTL; swept on the next beat of a live instance.
      expect(await a.until('peerLeft', 25_000)).toEqual({ type: 'peerLeft', sessionId: sid, reason: 'disconnect' });
      expect((await a.next()).type).toBe('waiting');
    } finally {
      clearInterval(keepAlive);
      a.close();
    }
  }, 40_000);
});

describe('configuration', () => {
  test('a bad value stops the server with one line naming the variable', async () => {
    for (const [name, value] of [
      ['PORT', 'eighty'],
      ['READY_TIMEOUT_MS', '-1'],
      ['REDIS_URL', 'http://nope'],
    ] as const) {
      const proc = Bun.spawn(['bun', 'server/src/main.ts'], {
        cwd: `${import.meta.dir}/../..`,
        env: { ...process.env, [name]: value },
        stderr: 'pipe',
        stdout: 'pipe',
      });
      expect(await proc.exited).toBe(1);
      const err = (await new Response(proc.stderr).text()).trim();
      expect(err.split('\n')).toHaveLength(1);
      expect(err).toContain(name);
    }
  });
});
