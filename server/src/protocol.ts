/**
 * Wire protocol v1 (see PROTOCOL.md): the frame types and the strict parser for client frames.
 * No runtime dependencies, so the browser client and the k6 scripts can import it too.
 */

export const PROTOCOL_VERSION = 1;
/** Largest client frame accepted, in bytes of UTF-8. */
export const MAX_FRAME_BYTES = 8 * 1024;
export const MAX_INTERESTS = 10;
export const MAX_INTEREST_LENGTH = 32;
export const MAX_TEXT_LENGTH = 2000;
export const MAX_REPORT_REASON_LENGTH = 500;
/**
 * What a report is about. A report's `reason` may start with one, as `<category>` or
 * `<category>: <details>`; the server records the category apart (the browser client always
 * sends one). Any other reason is recorded as it is, under `other`.
 */
export const REPORT_CATEGORIES = ['nudity', 'harassment', 'spam', 'underage', 'violence', 'other'] as const;
export type ReportCategory = (typeof REPORT_CATEGORIES)[number];

/** The category a report's reason names, and its details. */
export function reportCategory(reason: string): { category: ReportCategory; details: string } {
  const m = reason.match(/^([a-z]+)(?::\s*([\s\S]*))?$/);
  const named = REPORT_CATEGORIES.find((c) => c === m?.[1]);
  return named ? { category: named, details: m?.[2] ?? '' } : { category: 'other', details: reason };
}

/**
 * The timers PROTOCOL.md names, in ms: the server's defaults (each is configurable, see
 * config.ts) and the session machine's own delays until the server binds the configured ones.
 */
export const PROTOCOL_TIMERS = {
  /** A `matched` session whose sides are not both ready within this ends with `timeout`. */
  readyTimeoutMs: 20_000,
  /** No client frame for this long: the user is disconnected. */
  heartbeatTimeoutMs: 30_000,
  /** After this long in the queue, a user who named interests accepts anyone. */
  interestFallbackMs: 5_000,
  /** Two users who skipped each other are kept apart this long while others wait. */
  rematchCooldownMs: 60_000,
  /** A user in a session whose socket closed is held this long for `/ws?resume=`. */
  resumeGraceMs: 10_000,
  /** How often `stats` frames go out. */
  statsIntervalMs: 10_000,
} as const;

export type Mode = 'video' | 'text';
export type LeaveReason = 'skip' | 'end' | 'disconnect' | 'report' | 'timeout';
export type EndReason = 'skip' | 'end' | 'report';
export type ErrorCode =
  | 'bad_frame'
  | 'unknown_type'
  | 'invalid'
  | 'bad_state'
  | 'stale_session'
  | 'rate_limited'
  | 'banned'
  | 'unavailable';

export type ClientFrame =
  | { type: 'enqueue'; mode: Mode; interests: string[] }
  | { type: 'cancel' }
  | { type: 'ready'; sessionId: string }
  | { type: 'message'; sessionId: string; text: string }
  | { type: 'typing'; sessionId: string; typing: boolean }
  | { type: 'skip'; sessionId: string }
  | { type: 'end'; sessionId: string }
  | { type: 'report'; sessionId: string; reason: string }
  | { type: 'ping'; t?: number };

export type ClientFrameType = ClientFrame['type'];

export type ServerFrame =
  | { type: 'hello'; userId: string; resumeToken: string; protocol: 1; video: boolean }
  | { type: 'waiting'; since: number }
  | {
      type: 'matched';
      sessionId: string;
      mode: Mode;
      commonInterests: string[];
      room: string | null;
      token: string | null;
      livekitUrl: string | null;
    }
  | { type: 'connected'; sessionId: string }
  | { type: 'message'; sessionId: string; text: string; at: number }
  | { type: 'typing'; sessionId: string; typing: boolean }
  | { type: 'peerLeft'; sessionId: string; reason: LeaveReason }
  | { type: 'ended'; sessionId: string; reason: EndReason }
  | { type: 'idle' }
  | { type: 'pong'; t?: number }
  | { type: 'stats'; online: number; waiting: number }
  | { type: 'error'; code: ErrorCode; message: string; retryAfterMs?: number };

export type ServerFrameType = ServerFrame['type'];

export const CLIENT_FRAME_TYPES: readonly ClientFrameType[] = [
  'enqueue',
  'cancel',
  'ready',
  'message',
  'typing',
  'skip',
  'end',
  'report',
  'ping',
];

export const SERVER_FRAME_TYPES: readonly ServerFrameType[] = [
  'hello',
  'waiting',
  'matched',
  'connected',
  'message',
  'typing',
  'peerLeft',
  'ended',
  'idle',
  'pong',
  'stats',
  'error',
];

/** A parse failure: the error frame the server answers with. */
export interface FrameError {
  code: ErrorCode;
  message: string;
}

export type ParseResult = { ok: true; frame: ClientFrame } | { ok: false; error: FrameError };

type Fields = Record<string, unknown>;

const fail = (code: ErrorCode, message: string): ParseResult => ({ ok: false, error: { code, message } });
const invalid = (field: string, why: string): ParseResult => fail('invalid', `${field}: ${why}`);

function byteLength(text: string): number {
  // Cheap upper bound first: UTF-8 needs at most 3 bytes per UTF-16 unit.
  if (text.length * 3 <= MAX_FRAME_BYTES) return text.length;
  return new TextEncoder().encode(text).length;
}

/**
 * Parses one client frame. Binary frames are rejected by the caller passing a non-string.
 * Never throws.
 */
export function parseClientFrame(raw: unknown): ParseResult {
  if (typeof raw !== 'string') return fail('bad_frame', 'binary frames are not accepted; send JSON text');
  if (byteLength(raw) > MAX_FRAME_BYTES) return fail('bad_frame', `frame exceeds ${MAX_FRAME_BYTES} bytes`);
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    return fail('bad_frame', 'frame is not valid JSON');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return fail('bad_frame', 'frame must be a JSON object');
  }
  const f = value as Fields;
  if (typeof f.type !== 'string') return invalid('type', 'must be a string');
  const parse = PARSERS[f.type as ClientFrameType];
  if (!parse || !Object.hasOwn(PARSERS, f.type)) {
    return fail('unknown_type', `unknown frame type "${f.type.slice(0, 40)}"`);
  }
  return parse(f);
}

/**
 * Text that can be stored and relayed as it is: well-formed UTF-16 (no lone surrogates, which
 * have no UTF-8 form) and no NUL (PostgreSQL's text type cannot hold it). Returns why not, or null.
 */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function badText(text: string): string | null {
  if (LONE_SURROGATE.test(text)) return 'must be valid Unicode text (no lone surrogates)';
  if (text.includes('\u0000')) return 'may not contain NUL characters';
  return null;
}

/** A string field of `min`–`max` characters that is valid text. */
function textField(f: Fields, field: string, min: number, max: number): string | ParseResult {
  const value = f[field];
  if (typeof value !== 'string') return invalid(field, 'must be a string');
  if (value.length < min || value.length > max) {
    return invalid(field, min > 0 ? `must be ${min}-${max} characters` : `at most ${max} characters`);
  }
  const bad = badText(value);
  return bad ? invalid(field, bad) : value;
}

function sessionIdOf(f: Fields): string | ParseResult {
  const id = f.sessionId;
  // Ids are ours (printable ASCII); anything else cannot name a session.
  if (typeof id !== 'string' || !/^[\x21-\x7e]{1,128}$/.test(id)) {
    return invalid('sessionId', 'must be a non-empty string of at most 128 printable characters');
  }
  return id;
}

function withSession(f: Fields, build: (sessionId: string) => ParseResult): ParseResult {
  const id = sessionIdOf(f);
  return typeof id === 'string' ? build(id) : id;
}

const ok = (frame: ClientFrame): ParseResult => ({ ok: true, frame });

function parseInterests(raw: unknown): string[] | ParseResult {
  if (raw === undefined) return [];
  if (!Array.isArray(raw)) return invalid('interests', 'must be an array of strings');
  if (raw.length > MAX_INTERESTS) return invalid('interests', `at most ${MAX_INTERESTS} tags`);
  const tags: string[] = [];
  for (const tag of raw) {
    if (typeof tag !== 'string') return invalid('interests', 'each tag must be a string');
    const clean = tag.trim().toLowerCase();
    if (clean.length < 1 || clean.length > MAX_INTEREST_LENGTH) {
      return invalid('interests', `each tag must be 1-${MAX_INTEREST_LENGTH} characters`);
    }
    // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are exactly what we reject
    if (/[\u0000-\u001f]/.test(clean)) return invalid('interests', 'tags may not contain control characters');
    const bad = badText(clean);
    if (bad) return invalid('interests', `each tag ${bad}`);
    if (!tags.includes(clean)) tags.push(clean);
  }
  return tags;
}

const PARSERS: Record<ClientFrameType, (f: Fields) => ParseResult> = {
  enqueue(f) {
    // Absent means video; null is not absent.
    const mode = f.mode === undefined ? 'video' : f.mode;
    if (mode !== 'video' && mode !== 'text') return invalid('mode', 'must be "video" or "text"');
    const interests = parseInterests(f.interests);
    if (!Array.isArray(interests)) return interests;
    return ok({ type: 'enqueue', mode, interests });
  },
  cancel: () => ok({ type: 'cancel' }),
  ready: (f) => withSession(f, (sessionId) => ok({ type: 'ready', sessionId })),
  message: (f) =>
    withSession(f, (sessionId) => {
      const text = textField(f, 'text', 1, MAX_TEXT_LENGTH);
      return typeof text === 'string' ? ok({ type: 'message', sessionId, text }) : text;
    }),
  typing: (f) =>
    withSession(f, (sessionId) => {
      if (typeof f.typing !== 'boolean') return invalid('typing', 'must be a boolean');
      return ok({ type: 'typing', sessionId, typing: f.typing });
    }),
  skip: (f) => withSession(f, (sessionId) => ok({ type: 'skip', sessionId })),
  end: (f) => withSession(f, (sessionId) => ok({ type: 'end', sessionId })),
  report: (f) =>
    withSession(f, (sessionId) => {
      const reason = textField(f, 'reason', 0, MAX_REPORT_REASON_LENGTH);
      return typeof reason === 'string' ? ok({ type: 'report', sessionId, reason }) : reason;
    }),
  ping(f) {
    if (f.t === undefined) return ok({ type: 'ping' });
    if (typeof f.t !== 'number' || !Number.isFinite(f.t)) return invalid('t', 'must be a finite number');
    return ok({ type: 'ping', t: f.t });
  },
};

/** Serialises a server frame. One place, so every frame on the wire goes through the same code. */
export function encodeServerFrame(frame: ServerFrame): string {
  return JSON.stringify(frame);
}
