import { describe, expect, test } from 'bun:test';
import { signWebhook, webhookBody } from '../../../test/support/webhook.ts';
import { LiveKitWebhook } from './webhook.ts';

const KEY = 'k';
const SECRET = 'webhook-secret-webhook-secret-webhook';
const verifier = new LiveKitWebhook({ apiKey: KEY, apiSecret: SECRET });

describe('LiveKitWebhook', () => {
  test('a signed participant_left becomes who left which room', async () => {
    const body = webhookBody('participant_left', { room: 's1', identity: 'u1', id: 'EV_1' });
    expect(await verifier.verify(body, await signWebhook(body, KEY, SECRET))).toEqual({
      id: 'EV_1',
      kind: 'participant_left',
      room: 's1',
      identity: 'u1',
      replaced: false,
    });
  });

  test('a participant replaced by its own newer connection, or migrated, did not leave', async () => {
    for (const reason of ['DUPLICATE_IDENTITY', 'MIGRATION']) {
      const body = webhookBody('participant_left', { room: 's1', identity: 'u1', disconnectReason: reason });
      expect(await verifier.verify(body, await signWebhook(body, KEY, SECRET))).toMatchObject({ replaced: true });
    }
    const body = webhookBody('participant_left', { room: 's1', identity: 'u1', disconnectReason: 'CLIENT_INITIATED' });
    expect(await verifier.verify(body, await signWebhook(body, KEY, SECRET))).toMatchObject({ replaced: false });
  });

  test('room_finished names the room; other events are passed on as other', async () => {
    const finished = webhookBody('room_finished', { room: 's2', id: 'EV_2' });
    expect(await verifier.verify(finished, await signWebhook(finished, KEY, SECRET))).toEqual({
      id: 'EV_2',
      kind: 'room_finished',
      room: 's2',
    });
    const joined = webhookBody('participant_joined', { room: 's2', identity: 'u1', id: 'EV_3' });
    expect(await verifier.verify(joined, await signWebhook(joined, KEY, SECRET))).toEqual({
      id: 'EV_3',
      kind: 'other',
      name: 'participant_joined',
    });
  });

  test('rejects a missing header, another key or secret, and a body changed after signing', async () => {
    const body = webhookBody('room_finished', { room: 's3' });
    await expect(verifier.verify(body, null)).rejects.toThrow();
    await expect(verifier.verify(body, await signWebhook(body, KEY, `${SECRET}!`))).rejects.toThrow();
    await expect(verifier.verify(body, await signWebhook(body, 'other-key', SECRET))).rejects.toThrow();
    const signed = await signWebhook(body, KEY, SECRET);
    await expect(verifier.verify(body.replace('s3', 's4'), signed)).rejects.toThrow('sha256');
    await expect(verifier.verify(`${body} `, signed)).rejects.toThrow('sha256');
  });
});
