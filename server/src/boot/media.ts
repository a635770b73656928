/**
 * Media: LiveKit when LIVEKIT_URL is set (tokens minted here, rooms deleted through its API,
 * webhooks verified with its keys), else none (text chat only, `hello.video` false).
 */
import { LiveKitMedia } from '../adapters/livekit/media.ts';
import { roomService } from '../adapters/livekit/rooms.ts';
import { LiveKitWebhook } from '../adapters/livekit/webhook.ts';
import { noMedia } from '../adapters/media/none.ts';
import type { Config } from '../config.ts';
import type { ReadyCheck } from '../http/app.ts';
import type { Log } from '../log.ts';
import type { Media, MediaWebhook } from '../ports.ts';

export interface MediaParts {
  media: Media;
  /** Null without LiveKit: no secret to verify webhooks with. */
  verifier: MediaWebhook | null;
  checks: ReadyCheck[];
  stop(): void;
}

export async function openMedia(config: Config, log: Log): Promise<MediaParts> {
  if (!config.livekit) return { media: noMedia, verifier: null, checks: [], stop: () => {} };
  const livekit = new LiveKitMedia({ config: config.livekit, rooms: roomService(config.livekit), log });
  await livekit.start();
  return {
    media: livekit,
    verifier: new LiveKitWebhook(config.livekit),
    checks: [{ name: 'livekit', check: () => livekit.check() }],
    stop: () => livekit.stop(),
  };
}
