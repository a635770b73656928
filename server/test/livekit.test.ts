/**
 * The media adapter and the webhook against a real livekit-server (1.13.5) and a real matching
 * server on Redis + PostgreSQL. Participants here join by signalling only (no WebRTC in Bun): that
 * is enough to create a room, take a place in it and be thrown out when it is deleted. Media itself
 * flows in the browser tests (client/e2e).
 */
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'bun:test';
import { RoomServiceClient, TokenVerifier } from 'livekit-server-sdk';
import { mintToken } from '../src/adapters/livekit/token.ts';
import { type HelloClient as Client, TestClient } from './support/client.ts';
import { joinSignal, LIVEKIT_KEY, LIVEKIT_SECRET, type RunningLiveKit, startLiveKit } from './support/livekit.ts';
import { freePort, freshStores, type RunningServer, type Stores, startServer } from './support/server.ts';
import { signWebhook, webhookBody } from './support/webhook.ts';

/**
 * Two users paired in `mode` on the given servers; returns them and the matched frames. An
 * interest of their own keeps them from pairing with anyone an earlier test left waiting.
 */
async function pair(ws1: string, ws2 = ws1, mode: 'video' | 'text' = 'video') {
  const a = await TestClient.hello(ws1);
  const b = await TestClient.hello(ws2);
  const interests = [crypto.randomUUID().slice(0, 8)];
  a.send({ type: 'enqueue', mode, interests });
  await a.next('waiting');
  b.send({ type: 'enqueue', mode, interests });
  await b.next('waiting');
  const ma = await a.next('matched');
  const mb = await b.next('matched');
  expect(mb.sessionId).toBe(ma.sessionId);
  return { a, b, sid: ma.sessionId, ma, mb };
}

async function postWebhook(server: RunningServer, body: string, auth?: string) {
  const res = await fetch(`${server.url}/livekit/webhook`, {
    method: 'POST',
    body,
    headers: { 'content-type': 'application/webhook+json', ...(auth ? { authorization: auth } : {}) },
  });
  return { status: res.status, json: (await res.json()) as { ok?: boolean; outcome?: string } };
}

const signed = async (server: RunningServer, body: string) =>
  postWebhook(server, body, await signWebhook(body, LIVEKIT_KEY, LIVEKIT_SECRET));

async function endedRow(stores: Stores, sid: string) {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const row = (await stores.sessions()).find((r) => r.session_id === sid);
    if (row?.ended_at) return row;
    if (Date.now() > deadline) throw new Error(`session ${sid} has no end in PostgreSQL`);
    await Bun.sleep(100);
  }
}

describe('with a real livekit-server', () => {
  let lk: RunningLiveKit;
  let stores: Stores;
  let server: RunningServer;
  let rooms: RoomServiceClient;
  const open: Client[] = [];
  const track = (...cs: Client[]) => {
    open.push(...cs);
  };

  beforeAll(async () => {
    const port = await freePort();
    lk = await startLiveKit({ webhookUrl: `http://127.0.0.1:${port}/livekit/webhook` });
    stores = await freshStores('real');
    // A long resume grace: anything that ends a suspended user's session quickly is the webhook.
    server = await startServer({
      ...stores.env,
      ...lk.env,
      PORT: String(port),
      RESUME_GRACE_MS: '60000',
      LOG_LEVEL: 'info',
    });
    rooms = new RoomServiceClient(lk.httpUrl, LIVEKIT_KEY, LIVEKIT_SECRET);
  });
  afterEach(() => {
    for (const c of open.splice(0)) c.close();
  });
  afterAll(async () => {
    await server.stop();
    await lk.stop();
    await stores.drop();
  });

  test('hello says video is available, /readyz checks LiveKit', async () => {
    const c = await TestClient.connect(server.ws);
    expect((await c.next('hello')).video).toBe(true);
    c.close();
    const ready = (await (await fetch(`${server.url}/readyz`)).json()) as { checks: Record<string, string> };
    expect(ready.checks.livekit).toBe('ok');
  });

  test('matched carries a token for the session room only, for this user, verified with our secret', async () => {
    const { a, b, sid, ma, mb } = await pair(server.ws);
    track(a, b);
    expect(ma).toMatchObject({ mode: 'video', room: sid, livekitUrl: lk.url });
    const verifier = new TokenVerifier(LIVEKIT_KEY, LIVEKIT_SECRET);
    const ca = await verifier.verify(ma.token ?? '');
    const cb = await verifier.verify(mb.token ?? '');
    expect([ca.sub, cb.sub]).toEqual([a.userId, b.userId]);
    expect(ca.video).toMatchObject({ room: sid, roomJoin: true, canPublishSources: ['camera', 'microphone'] });
    expect(ca.video?.roomAdmin).toBeUndefined();
    expect(ca.video?.roomCreate).toBeUndefined();
  });

  test('livekit-server creates the room with the limits the token carries: two participants at most', async () => {
    const { a, b, sid, ma, mb } = await pair(server.ws);
    track(a, b);
    expect(await rooms.listRooms([sid])).toEqual([]); // nothing was created before anyone joined
    const ja = await joinSignal(lk.url, ma.token ?? '');
    expect(ja.joined).toBe(true);
    const [room] = await rooms.listRooms([sid]);
    expect(room).toMatchObject({ name: sid, maxParticipants: 2, departureTimeout: 10, emptyTimeout: 30 });
    expect((await joinSignal(lk.url, mb.token ?? '')).joined).toBe(true);
    const third = mintToken({
      apiKey: LIVEKIT_KEY,
      apiSecret: LIVEKIT_SECRET,
      identity: 'u_intruder',
      room: sid,
      ttlSeconds: 60,
      roomConfig: { maxParticipants: 10, departureTimeout: 60, emptyTimeout: 60 },
      nowSeconds: Math.floor(Date.now() / 1000),
    });
    expect((await joinSignal(lk.url, third)).joined).toBe(false);
    expect((await rooms.listParticipants(sid)).map((p) => p.identity).sort()).toEqual([a.userId, b.userId].sort());
  });

  test('skip deletes the room: both participants are thrown out of the media at once', async () => {
    const { a, b, sid, ma, mb } = await pair(server.ws);
    track(a, b);
    const ja = await joinSignal(lk.url, ma.token ?? '');
    const jb = await joinSignal(lk.url, mb.token ?? '');
    a.send({ type: 'skip', sessionId: sid });
    expect(await a.next()).toEqual({ type: 'ended', sessionId: sid, reason: 'skip' });
    expect(await b.next()).toEqual({ type: 'peerLeft', sessionId: sid, reason: 'skip' });
    await Promise.all([ja.closed, jb.closed]);
    expect(await rooms.listRooms([sid])).toEqual([]);
    // LiveKit's room_finished for the closed session arrives later and changes nothing.
    await b.next('waiting');
    await b.quiet(300);
  });

  test('a real room_finished of an open session closes it for both, as the system', async () => {
    const { a, b, sid, ma } = await pair(server.ws);
    track(a, b);
    await joinSignal(lk.url, ma.token ?? '');
    await rooms.deleteRoom(sid); // someone other than us ends the room: LiveKit reports room_finished
    expect(await a.next()).toEqual({ type: 'peerLeft', sessionId: sid, reason: 'disconnect' });
    expect(await b.next()).toEqual({ type: 'peerLeft', sessionId: sid, reason: 'disconnect' });
    await a.next('waiting');
    await b.next('waiting');
    expect(await endedRow(stores, sid)).toMatchObject({ end_reason: 'disconnect', ended_by: 'livekit' });
    expect(server.output()).toContain('LiveKit webhook closed a session');
  });

  test('participant_left closes the session once, both told; duplicates and late frames change nothing', async () => {
    const { a, b, sid } = await pair(server.ws);
    track(a, b);
    const body = webhookBody('participant_left', { room: sid, identity: a.userId });
    expect(await signed(server, body)).toEqual({ status: 200, json: { ok: true, outcome: 'closed' } });
    expect(await signed(server, body)).toEqual({ status: 200, json: { ok: true, outcome: 'duplicate' } });
    const again = webhookBody('participant_left', { room: sid, identity: b.userId });
    expect((await signed(server, again)).json.outcome).toBe('not_open');
    expect(await a.next()).toEqual({ type: 'peerLeft', sessionId: sid, reason: 'disconnect' });
    expect(await b.next()).toEqual({ type: 'peerLeft', sessionId: sid, reason: 'disconnect' });
    await a.next('waiting');
    await b.next('waiting');
    a.send({ type: 'skip', sessionId: sid });
    expect(await a.until('error')).toMatchObject({ code: 'stale_session' });
    expect(await endedRow(stores, sid)).toMatchObject({ end_reason: 'disconnect', ended_by: a.userId });
  });

  test('a leaver whose socket closes just after its media is never queued again as a ghost', async () => {
    const { a, b, sid } = await pair(server.ws);
    track(b);
    await signed(server, webhookBody('participant_left', { room: sid, identity: a.userId }));
    a.close(); // the tab was closing: media first, socket a moment later
    expect(await b.next()).toEqual({ type: 'peerLeft', sessionId: sid, reason: 'disconnect' });
    await b.next('waiting');
    // Had a been queued again it would be matched with b at once (they share an interest): it is not.
    await b.quiet(2500);
  });

  test('the user’s own frame first: the webhook that follows finds nothing open', async () => {
    const { a, b, sid } = await pair(server.ws);
    track(a, b);
    a.send({ type: 'end', sessionId: sid });
    await a.next('ended');
    await b.next('peerLeft');
    const body = webhookBody('participant_left', { room: sid, identity: a.userId });
    expect((await signed(server, body)).json.outcome).toBe('not_open');
    expect(await endedRow(stores, sid)).toMatchObject({ end_reason: 'end', ended_by: a.userId });
  });

  test('participant_left while the user is suspended ends the session now, not after the grace', async () => {
    const { a, b, sid } = await pair(server.ws);
    track(b);
    a.close(); // a is held for the 60 s resume grace; b sees nothing yet
    await b.quiet(300);
    const t0 = Date.now();
    await signed(server, webhookBody('participant_left', { room: sid, identity: a.userId }));
    expect(await b.next()).toEqual({ type: 'peerLeft', sessionId: sid, reason: 'disconnect' });
    expect(Date.now() - t0).toBeLessThan(5000);
    // a's actor ended with the session: resuming gives back the identity, not the session.
    const back = await TestClient.connect(`${server.ws}?resume=${encodeURIComponent(a.resumeToken)}`);
    track(back as Client);
    expect((await back.next('hello')).userId).toBe(a.userId);
    back.send({ type: 'ping', t: 7 });
    expect(await back.next('pong')).toEqual({ type: 'pong', t: 7 }); // no `matched` before it
  });

  test('a participant replaced by its own rejoin does not end the session', async () => {
    const { a, b, sid } = await pair(server.ws);
    track(a, b);
    const body = webhookBody('participant_left', {
      room: sid,
      identity: a.userId,
      disconnectReason: 'DUPLICATE_IDENTITY',
    });
    expect((await signed(server, body)).json.outcome).toBe('ignored');
    await b.quiet(200);
    a.send({ type: 'message', sessionId: sid, text: 'still here' });
    expect(await b.next('message')).toMatchObject({ text: 'still here' });
  });

  test('a webhook that does not verify is refused with 401 and changes nothing', async () => {
    const { a, b, sid } = await pair(server.ws);
    track(a, b);
    const body = webhookBody('room_finished', { room: sid });
    expect((await postWebhook(server, body)).status).toBe(401);
    expect(
      (await postWebhook(server, body, await signWebhook(body, LIVEKIT_KEY, 'wrong-secret-wrong-secret-wrong'))).status,
    ).toBe(401);
    const tampered = webhookBody('room_finished', { room: sid });
    expect((await postWebhook(server, tampered, await signWebhook(body, LIVEKIT_KEY, LIVEKIT_SECRET))).status).toBe(
      401,
    );
    await a.quiet(200);
    a.send({ type: 'message', sessionId: sid, text: 'unaffected' });
    expect(await b.next('message')).toMatchObject({ text: 'unaffected' });
  });

  test('text sessions get no media grant even when video is available', async () => {
    const { a, b, ma } = await pair(server.ws, server.ws, 'text');
    track(a, b);
    expect(ma).toMatchObject({ mode: 'text', room: null, token: null, livekitUrl: null });
  });
});

describe('two instances and one LiveKit', () => {
  let lk: RunningLiveKit;
  let stores: Stores;
  let one: RunningServer;
  let two: RunningServer;

  beforeAll(async () => {
    lk = await startLiveKit();
    stores = await freshStores('real');
    one = await startServer({ ...stores.env, ...lk.env, INSTANCE_ID: 'lk-one' });
    two = await startServer({ ...stores.env, ...lk.env, INSTANCE_ID: 'lk-two' });
  });
  afterAll(async () => {
    await one.stop();
    await two.stop();
    await lk.stop();
    await stores.drop();
  });

  test('participant_left on one instance reaches the leaver on the other instance too', async () => {
    const { a, b, sid } = await pair(one.ws, two.ws);
    expect((await signed(one, webhookBody('participant_left', { room: sid, identity: b.userId }))).json.outcome).toBe(
      'closed',
    );
    expect(await a.next()).toEqual({ type: 'peerLeft', sessionId: sid, reason: 'disconnect' });
    // b's socket stays: after the settle time it is told too, and queued again.
    expect(await b.next()).toEqual({ type: 'peerLeft', sessionId: sid, reason: 'disconnect' });
    await b.next('waiting');
    a.close();
    b.close();
  });

  test('a webhook landing on any instance tells both users, wherever they are connected', async () => {
    const { a, b, sid } = await pair(one.ws, two.ws);
    const body = webhookBody('room_finished', { room: sid });
    expect((await signed(two, body)).json.outcome).toBe('closed');
    expect(await a.next()).toEqual({ type: 'peerLeft', sessionId: sid, reason: 'disconnect' });
    expect(await b.next()).toEqual({ type: 'peerLeft', sessionId: sid, reason: 'disconnect' });
    expect((await signed(one, webhookBody('room_finished', { room: sid }))).json.outcome).toBe('not_open');
    a.close();
    b.close();
  });
});

describe('when LiveKit does not answer', () => {
  let stores: Stores;
  let server: RunningServer;

  beforeAll(async () => {
    stores = await freshStores('real');
    const dead = await freePort();
    server = await startServer({
      ...stores.env,
      LIVEKIT_URL: `ws://127.0.0.1:${dead}`,
      LIVEKIT_API_KEY: LIVEKIT_KEY,
      LIVEKIT_API_SECRET: LIVEKIT_SECRET,
    });
  });
  afterAll(async () => {
    await server.stop();
    await stores.drop();
  });

  test('hello says no video, video sessions pair with no media grant, /readyz names livekit', async () => {
    const c = await TestClient.connect(server.ws);
    expect((await c.next('hello')).video).toBe(false);
    c.close();
    const { a, b, ma } = await pair(server.ws);
    expect(ma).toMatchObject({ mode: 'video', room: null, token: null, livekitUrl: null });
    a.close();
    b.close();
    const res = await fetch(`${server.url}/readyz`);
    expect(res.status).toBe(503);
    expect(((await res.json()) as { failing: string[] }).failing).toContain('livekit');
  });
});
