/**
 * Metrics and logs of a running server: the Prometheus numbers move as clients pair, chat, skip
 * and leave; the JSON log has the instance, user, session and request ids and never the chat
 * text, a token or an IP address.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { type HelloClient as Client, TestClient } from './support/client.ts';
import { freshStores, type RunningServer, type Stores, startServer } from './support/server.ts';

/** The value of one sample (`name{labels}` exactly as exposed, instance label included). */
function sample(text: string, name: string, labels: Record<string, string>): number {
  const wanted = Object.entries(labels);
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`)) continue;
    const inner = line.slice(name.length + 1, line.lastIndexOf('}'));
    const got = Object.fromEntries(inner.split(',').map((kv) => kv.split('=').map((x) => x.replace(/"/g, ''))));
    if (wanted.every(([k, v]) => got[k] === v) && Object.keys(got).length === wanted.length + 1) {
      return Number(line.slice(line.lastIndexOf(' ') + 1));
    }
  }
  return 0;
}

describe('a running server, observed', () => {
  let stores: Stores;
  let s: RunningServer;
  const SECRET_TEXT = 'my-secret-phone-555-0199';
  const resumeTokens: string[] = [];

  beforeAll(async () => {
    stores = await freshStores('real');
    s = await startServer({ ...stores.env, INSTANCE_ID: 'obs-1', LOG_LEVEL: 'info', RESUME_GRACE_MS: '200' });
  });
  afterAll(async () => {
    await s.stop();
    await stores.drop();
  });

  const metrics = async () => (await fetch(`${s.url}/metrics`)).text();

  test('metrics move as clients connect, pair, chat, skip and leave', async () => {
    const before = await metrics();
    const pairs0 = sample(before, 'matcher_pairs_total', {});
    const enqueues0 = sample(before, 'ws_frames_total', { direction: 'in', type: 'enqueue' });
    const matches0 = sample(before, 'matcher_time_to_match_seconds_count', {});
    const skips0 = sample(before, 'matcher_sessions_closed_total', { reason: 'skip' });

    const clients = (await Promise.all([1, 2, 3, 4].map(() => TestClient.hello(s.ws)))) as Client[];
    const [a, b, c, d] = clients as [Client, Client, Client, Client];
    resumeTokens.push(...clients.map((x) => x.resumeToken));
    let m = await metrics();
    expect(sample(m, 'ws_connections', {})).toBe(4);
    expect(sample(m, 'matcher_actors', { state: 'idle' })).toBe(4);

    for (const [x, y] of [
      [a, b],
      [c, d],
    ] as const) {
      x.send({ type: 'enqueue', mode: 'text' });
      await x.next('waiting');
      y.send({ type: 'enqueue', mode: 'text' });
      await y.next('waiting');
      await x.next('matched');
      await y.next('matched');
    }
    const sid = (a.frames.find((f) => f.type === 'matched') as { sessionId: string }).sessionId;
    a.send({ type: 'message', sessionId: sid, text: SECRET_TEXT });
    await b.next('message');
    m = await metrics();
    expect(sample(m, 'matcher_pairs_total', {}) - pairs0).toBe(2);
    expect(sample(m, 'ws_frames_total', { direction: 'in', type: 'enqueue' }) - enqueues0).toBe(4);
    expect(sample(m, 'ws_frames_total', { direction: 'out', type: 'matched' })).toBeGreaterThanOrEqual(4);
    expect(sample(m, 'matcher_time_to_match_seconds_count', {}) - matches0).toBe(4);
    expect(sample(m, 'matcher_actors', { state: 'matched' })).toBe(4);
    expect(sample(m, 'matcher_actors', { state: 'idle' })).toBe(0);

    a.send({ type: 'skip', sessionId: sid });
    await a.next('ended');
    await b.next('peerLeft');
    for (const x of clients) x.close();
    // Sockets close at once; actors that were in a session are released after the resume grace.
    const deadline = Date.now() + 8000;
    for (;;) {
      m = await metrics();
      const gone = sample(m, 'ws_connections', {}) === 0 && !m.includes('matcher_actors{state=');
      if (gone || Date.now() > deadline) break;
      await Bun.sleep(50);
    }
    expect(sample(m, 'ws_connections', {})).toBe(0);
    expect(sample(m, 'matcher_sessions_closed_total', { reason: 'skip' }) - skips0).toBe(1);
    expect(m).not.toContain('matcher_actors{state=');
    // Process and event-loop metrics are there and real.
    expect(sample(m, 'process_resident_memory_bytes', {})).toBeGreaterThan(1e6);
    expect(sample(m, 'eventloop_lag_seconds_count', {})).toBeGreaterThan(0);
  }, 30_000);

  test('logs are JSON with instance, user, session and request ids, and nothing private', async () => {
    const res = await fetch(`${s.url}/`, {
      headers: { 'x-request-id': 'req-abc-123', 'x-forwarded-for': '203.0.113.77' },
    });
    expect(res.headers.get('x-request-id')).toBe('req-abc-123');
    await Bun.sleep(100);
    const lines = s
      .output()
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.length).toBeGreaterThan(5);
    expect(lines.every((l) => l.instance === 'obs-1')).toBe(true);
    const started = lines.find((l) => l.msg === 'session started');
    expect(started).toMatchObject({ sessionId: expect.any(String), userId: expect.any(String), mode: 'text' });
    expect(lines.find((l) => l.msg === 'session closed')).toMatchObject({
      reason: 'skip',
      sessionId: expect.any(String),
    });
    expect(lines.filter((l) => l.msg === 'user disconnected').length).toBeGreaterThanOrEqual(4);
    expect(lines.find((l) => l.msg === 'request' && l.reqId === 'req-abc-123')).toMatchObject({
      path: '/',
      status: 200,
    });
    const raw = s.output();
    expect(raw).not.toContain(SECRET_TEXT);
    expect(raw).not.toContain('203.0.113.77');
    expect(raw).not.toContain('127.0.0.1');
    expect(resumeTokens).toHaveLength(4);
    for (const token of resumeTokens) expect(raw).not.toContain(token);
  });
});
