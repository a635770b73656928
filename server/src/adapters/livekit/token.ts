/**
 * LiveKit access tokens, minted locally and synchronously.
 *
 * Why not livekit-server-sdk's `AccessToken`: its `toJwt()` is async (it signs with WebCrypto
 * through jose), and `Media.grant` sits on the pairing hot path where the `matched` frame is built
 * inside a state machine action, which must not await. A LiveKit token is a plain HS256 JWT whose
 * claims are documented (livekit/protocol auth.ClaimGrants), so we sign it here with node:crypto,
 * which is synchronous and takes microseconds. `token.test.ts` checks the result with the SDK's own
 * `TokenVerifier`, and server/test/livekit.test.ts with a real livekit-server.
 */
import { createHmac } from 'node:crypto';

/** Room limits carried in the token: livekit-server applies them when the first participant's join creates the room. */
export interface RoomConfig {
  /** Seconds an empty room is kept before anyone joins. */
  emptyTimeout: number;
  /** Seconds a room is kept after the last participant left. */
  departureTimeout: number;
  maxParticipants: number;
}

export interface TokenRequest {
  apiKey: string;
  apiSecret: string;
  /** Participant identity: our userId. */
  identity: string;
  /** The only room this token may join: our sessionId. */
  room: string;
  ttlSeconds: number;
  roomConfig: RoomConfig;
  /** Seconds since the epoch. */
  nowSeconds: number;
}

const base64url = (data: string | Buffer) => Buffer.from(data).toString('base64url');

const HEADER = base64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }));

/**
 * A token that joins one room, publishes camera and microphone only, subscribes, and nothing else:
 * no data channel (chat goes through our WebSocket), no metadata updates, no admin grants.
 */
export function mintToken(r: TokenRequest): string {
  const claims = {
    iss: r.apiKey,
    sub: r.identity,
    nbf: r.nowSeconds,
    exp: r.nowSeconds + r.ttlSeconds,
    name: 'Stranger',
    video: {
      roomJoin: true,
      room: r.room,
      canPublish: true,
      canPublishSources: ['camera', 'microphone'],
      canSubscribe: true,
      canPublishData: false,
      canUpdateOwnMetadata: false,
    },
    roomConfig: { name: r.room, ...r.roomConfig },
  };
  const body = `${HEADER}.${base64url(JSON.stringify(claims))}`;
  const signature = createHmac('sha256', r.apiSecret).update(body).digest('base64url');
  return `${body}.${signature}`;
}
