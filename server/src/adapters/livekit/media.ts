/**
 * The LiveKit media adapter (the `Media` port).
 *
 * - `grant` mints a room-scoped token locally and synchronously (token.ts): no network before
 *   `matched`.
 * - Room limits are set before anyone joins WITHOUT a round trip: they travel in the token's
 *   `roomConfig` claim, and livekit-server (1.13.5, verified in server/test/livekit.test.ts) creates
 *   the room with them when the first participant's join creates it. An explicit CreateRoom at
 *   match time would either delay `matched` by a round trip or, fired concurrently, race the first
 *   join (a join that wins creates the room with the server's defaults); the token cannot lose
 *   that race.
 * - `available` is the last answer of a periodic probe, so `hello.video` is true exactly when
 *   LiveKit answers with our credentials.
 * - `closeRoom` deletes the room in the background so both sides leave the media at once.
 */
import type { LiveKitConfig } from '../../config.ts';
import type { Media } from '../../ports.ts';
import type { RoomApi } from './rooms.ts';
import { mintToken, type RoomConfig } from './token.ts';

/** Long enough to join (and rejoin after a short drop); a connected participant is refreshed by LiveKit itself. */
export const TOKEN_TTL_SECONDS = 5 * 60;

/** Two strangers per room; the room closes 10 s after the last one left, or 30 s after creation if nobody stays. */
export const ROOM_CONFIG: RoomConfig = { maxParticipants: 2, departureTimeout: 10, emptyTimeout: 30 };

export interface LiveKitMediaOptions {
  config: LiveKitConfig;
  rooms: RoomApi;
  log: { info(obj: object, msg: string): void; warn(obj: object, msg: string): void };
  /** How often LiveKit is probed. */
  probeIntervalMs?: number;
  now?: () => number;
}

export class LiveKitMedia implements Media {
  /** Null until the first probe has answered or failed. */
  private up: boolean | null = null;
  private timer: ReturnType<typeof setInterval> | null = null;
  private readonly now: () => number;

  constructor(private readonly o: LiveKitMediaOptions) {
    this.now = o.now ?? Date.now;
  }

  available(): boolean {
    return this.up === true;
  }

  grant(sessionId: string, userId: string): { room: string; token: string; url: string } | null {
    if (this.up !== true) return null;
    const token = mintToken({
      apiKey: this.o.config.apiKey,
      apiSecret: this.o.config.apiSecret,
      identity: userId,
      room: sessionId,
      ttlSeconds: TOKEN_TTL_SECONDS,
      roomConfig: ROOM_CONFIG,
      nowSeconds: Math.floor(this.now() / 1000),
    });
    return { room: sessionId, token, url: this.o.config.publicUrl };
  }

  closeRoom(sessionId: string): void {
    this.o.rooms
      .deleteRoom(sessionId)
      .catch((err: Error) => this.o.log.warn({ err: err.message, sessionId }, 'could not delete the LiveKit room'));
  }

  /** One probe; rejects when LiveKit does not answer (for /readyz). Updates `available`. */
  async check(): Promise<void> {
    try {
      await this.o.rooms.ping();
      this.set(true);
    } catch (error) {
      this.set(false, error);
      throw error;
    }
  }

  /** Probes once now, then every `probeIntervalMs`. */
  async start(): Promise<void> {
    await this.check().catch(() => {});
    this.timer = setInterval(() => void this.check().catch(() => {}), this.o.probeIntervalMs ?? 5000);
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  private set(up: boolean, error?: unknown): void {
    if (up === this.up) return;
    this.up = up;
    if (up) this.o.log.info({ url: this.o.config.url }, 'LiveKit answers: video is available');
    else
      this.o.log.warn({ url: this.o.config.url, err: (error as Error)?.message }, 'LiveKit does not answer: text only');
  }
}
