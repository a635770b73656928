import { describe, expect, test } from 'bun:test';
import { Hono } from 'hono';
import { signWebhook, webhookBody } from '../../test/support/webhook.ts';
import { LiveKitWebhook } from '../adapters/livekit/webhook.ts';
import type { MediaOutcome } from '../matching/media-events.ts';
import type { MediaEvent } from '../ports.ts';
import { mountWebhook } from './webhook.ts';

const KEY = 'k';
const SECRET = 'route-secret-route-secret-route-secret';
const log = { info: () => {}, warn: () => {}, error: () => {} };

function app(handle: (e: MediaEvent) => Promise<MediaOutcome>, configured = true) {
  const a = new Hono();
  mountWebhook(a, {
    verifier: configured ? new LiveKitWebhook({ apiKey: KEY, apiSecret: SECRET }) : null,
    handle,
    log,
  });
  return a;
}

const post = (a: Hono, body: string, auth?: string) =>
  a.request('/livekit/webhook', {
    method: 'POST',
    body,
    headers: { 'content-type': 'application/webhook+json', ...(auth ? { authorization: auth } : {}) },
  });

describe('POST /livekit/webhook', () => {
  test('a signed event reaches the handler, which says what it did', async () => {
    const seen: MediaEvent[] = [];
    const a = app(async (e) => {
      seen.push(e);
      return 'closed';
    });
    const body = webhookBody('room_finished', { room: 's1', id: 'EV_1' });
    const res = await post(a, body, await signWebhook(body, KEY, SECRET));
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ ok: true, outcome: 'closed' });
    expect(seen).toEqual([{ id: 'EV_1', kind: 'room_finished', room: 's1' }]);
  });

  test('401 and no effect without a signature, with a bad one, or for a body changed after signing', async () => {
    const seen: MediaEvent[] = [];
    const a = app(async (e) => {
      seen.push(e);
      return 'closed';
    });
    const body = webhookBody('room_finished', { room: 's1' });
    expect((await post(a, body)).status).toBe(401);
    expect((await post(a, body, await signWebhook(body, KEY, 'not-the-secret-not-the-secret-xx'))).status).toBe(401);
    const reformatted = JSON.stringify(JSON.parse(body), null, 1);
    expect((await post(a, reformatted, await signWebhook(body, KEY, SECRET))).status).toBe(401);
    expect(seen).toEqual([]);
  });

  test('401 for every webhook when LiveKit is not configured', async () => {
    const a = app(async () => 'closed', false);
    const body = webhookBody('room_finished', { room: 's1' });
    const res = await post(a, body, await signWebhook(body, KEY, SECRET));
    expect(res.status).toBe(401);
  });

  test('503 when the store fails, so LiveKit retries', async () => {
    const a = app(async () => {
      throw new Error('redis down');
    });
    const body = webhookBody('room_finished', { room: 's1' });
    expect((await post(a, body, await signWebhook(body, KEY, SECRET))).status).toBe(503);
  });

  test('413 for a body far larger than any LiveKit event', async () => {
    const a = app(async () => 'closed');
    const body = 'x'.repeat(200 * 1024);
    expect((await post(a, body, 'whatever')).status).toBe(413);
  });
});
