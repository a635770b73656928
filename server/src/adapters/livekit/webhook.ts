/**
 * LiveKit webhooks: the signature is checked by livekit-server-sdk's WebhookReceiver (a JWT in
 * the Authorization header, signed with our API secret, carrying the SHA-256 of the exact body),
 * then the event is reduced to the few facts sessions care about.
 */
import { type WebhookEvent, WebhookReceiver } from 'livekit-server-sdk';
import type { LiveKitConfig } from '../../config.ts';
import type { MediaEvent, MediaWebhook } from '../../ports.ts';

/**
 * livekit.DisconnectReason values (protobuf enum numbers, stable on the wire) for a participant
 * that did not really leave: it was replaced by a newer connection of the same identity (a client
 * rejoining after a drop), or moved to another media node.
 */
const DUPLICATE_IDENTITY = 2;
const MIGRATION = 8;

/** Our facts from LiveKit's event. Exported for tests. */
export function toMediaEvent(e: WebhookEvent): MediaEvent {
  const id = e.id || `${e.event}:${e.room?.sid ?? ''}:${e.participant?.sid ?? ''}:${e.createdAt}`;
  const room = e.room?.name ?? '';
  if (e.event === 'participant_left' && room && e.participant?.identity) {
    const reason = Number(e.participant.disconnectReason);
    return {
      id,
      kind: 'participant_left',
      room,
      identity: e.participant.identity,
      replaced: reason === DUPLICATE_IDENTITY || reason === MIGRATION,
    };
  }
  if (e.event === 'room_finished' && room) return { id, kind: 'room_finished', room };
  return { id, kind: 'other', name: e.event };
}

export class LiveKitWebhook implements MediaWebhook {
  private readonly receiver: WebhookReceiver;

  constructor(config: Pick<LiveKitConfig, 'apiKey' | 'apiSecret'>) {
    this.receiver = new WebhookReceiver(config.apiKey, config.apiSecret);
  }

  async verify(body: string, authorization: string | null): Promise<MediaEvent> {
    // `receive` hashes `body` as given: it must be the raw text, never re-serialised JSON.
    return toMediaEvent(await this.receiver.receive(body, authorization ?? undefined));
  }
}
