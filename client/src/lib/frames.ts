/**
 * Decoding server frames at the client: tolerant of fields it does not know (a newer server may add
 * some), strict about the ones it uses, so a malformed frame is dropped instead of breaking the UI.
 */
import { SERVER_FRAME_TYPES, type ServerFrame } from '../../../server/src/protocol.ts';

type Fields = Record<string, unknown>;

const isString = (v: unknown): v is string => typeof v === 'string';
const isNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const isNullableString = (v: unknown) => v === null || isString(v);

/** Required fields per frame type and how to check them. */
const CHECKS: Record<ServerFrame['type'], (f: Fields) => boolean> = {
  hello: (f) => isString(f.userId) && isString(f.resumeToken) && typeof f.video === 'boolean',
  waiting: (f) => isNumber(f.since),
  matched: (f) =>
    isString(f.sessionId) &&
    (f.mode === 'video' || f.mode === 'text') &&
    Array.isArray(f.commonInterests) &&
    f.commonInterests.every(isString) &&
    isNullableString(f.room) &&
    isNullableString(f.token) &&
    isNullableString(f.livekitUrl),
  connected: (f) => isString(f.sessionId),
  message: (f) => isString(f.sessionId) && isString(f.text),
  typing: (f) => isString(f.sessionId) && typeof f.typing === 'boolean',
  peerLeft: (f) => isString(f.sessionId) && isString(f.reason),
  ended: (f) => isString(f.sessionId) && isString(f.reason),
  idle: () => true,
  pong: (f) => f.t === undefined || isNumber(f.t),
  stats: (f) => isNumber(f.online) && isNumber(f.waiting),
  error: (f) => isString(f.code) && isString(f.message),
};

/** The frame, or null when the text is not a frame this client understands. */
export function decodeFrame(text: string): ServerFrame | null {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return null;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return null;
  const f = value as Fields;
  const type = f.type as ServerFrame['type'];
  if (!SERVER_FRAME_TYPES.includes(type)) return null;
  return CHECKS[type](f) ? (f as ServerFrame) : null;
}
