/**
 * LiveKit's room service (Twirp over HTTP, through livekit-server-sdk), reduced to the two calls
 * the media adapter needs. Never on the pairing hot path: probes and deletions run in the background.
 */
import { RoomServiceClient } from 'livekit-server-sdk';
import type { LiveKitConfig } from '../../config.ts';

export interface RoomApi {
  /** A cheap authenticated call: resolves when LiveKit answers and accepts our credentials. */
  ping(): Promise<void>;
  /** Deletes a room, disconnecting everyone in it. Resolves too when there is no such room. */
  deleteRoom(room: string): Promise<void>;
}

/** The HTTP base of a LiveKit URL (the config may name it ws:// or wss://, as browsers do). */
export function httpBase(url: string): string {
  return url.replace(/^ws(s?):\/\//, 'http$1://');
}

/** A Twirp "not found": the room was already gone (finished, or deleted by the other side). */
function notFound(error: unknown): boolean {
  const e = error as { status?: number; code?: string };
  return e?.status === 404 || e?.code === 'not_found';
}

export function roomService(config: LiveKitConfig, requestTimeoutSeconds = 3): RoomApi {
  const client = new RoomServiceClient(httpBase(config.url), config.apiKey, config.apiSecret, {
    requestTimeout: requestTimeoutSeconds,
  });
  return {
    async ping() {
      // Filtering by a name no session uses keeps the answer empty however many rooms exist.
      await client.listRooms(['serendip-probe']);
    },
    async deleteRoom(room) {
      try {
        await client.deleteRoom(room);
      } catch (error) {
        if (!notFound(error)) throw error;
      }
    },
  };
}
