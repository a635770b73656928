/** Signs a webhook body the way livekit-server does: a JWT from the API key carrying the body's SHA-256. */
import { createHash } from 'node:crypto';
import { AccessToken } from 'livekit-server-sdk';

export async function signWebhook(body: string, apiKey: string, apiSecret: string): Promise<string> {
  const token = new AccessToken(apiKey, apiSecret);
  token.sha256 = createHash('sha256').update(body).digest('base64');
  return token.toJwt();
}

/** A LiveKit webhook body (protobuf JSON, as livekit-server sends it). */
export function webhookBody(
  event: string,
  extra: { room?: string; identity?: string; disconnectReason?: string; id?: string } = {},
): string {
  return JSON.stringify({
    event,
    id: extra.id ?? `EV_${crypto.randomUUID()}`,
    createdAt: String(Math.floor(Date.now() / 1000)),
    ...(extra.room ? { room: { sid: 'RM_test', name: extra.room } } : {}),
    ...(extra.identity
      ? {
          participant: {
            sid: 'PA_test',
            identity: extra.identity,
            ...(extra.disconnectReason ? { disconnectReason: extra.disconnectReason } : {}),
          },
        }
      : {}),
  });
}
