/**
 * Configuration: read from the environment once, at boot, validated, then passed down.
 * Nothing else in the server reads process.env.
 */
import { hostname } from 'node:os';
import { PROTOCOL_TIMERS as T } from './protocol.ts';

/** The configured timers, one field per PROTOCOL_TIMERS entry (see protocol.ts for each meaning). */
export type Timers = { -readonly [K in keyof typeof T]: number };

export interface LiveKitConfig {
  url: string;
  apiKey: string;
  apiSecret: string;
  /** The URL browsers use; defaults to `url`. */
  publicUrl: string;
}

export interface Config {
  port: number;
  host: string;
  instanceId: string;
  redisUrl: string | null;
  /** Hash tag shared by every Redis key, so each script stays in one Cluster slot. */
  redisPrefix: string;
  /** An instance silent this long is dead: its users are swept and their partners re-queued. */
  instanceTtlMs: number;
  databaseUrl: string | null;
  dataDir: string;
  livekit: LiveKitConfig | null;
  /**
   * Secret that signs resume tokens; must be shared by all instances behind one load balancer.
   * Null: generated once and kept in PostgreSQL, which every instance shares.
   */
  resumeSecret: string | null;
  /**
   * How long a resume token is good for after it was issued even when its connection is no longer
   * held; a held connection (socket open, or within the grace) is resumed with its token whatever
   * its age. Default: the resume grace plus 30 s.
   */
  resumeTokenTtlMs: number;
  allowedOrigins: string[] | null;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  timers: Timers;
  limits: Limits;
  clientDir: string;
  /**
   * Development mode: set by `bun run dev` (SERENDIP_DEV=1), never by `bun run start`. Logs are
   * pretty, and /admin is open without a token unless ADMIN_TOKEN is set.
   */
  dev: boolean;
  admin: AdminConfig;
  /** Streaming actors to the Stately inspector (INSPECT=1); null when off. */
  inspect: InspectConfig | null;
  safety: SafetyConfig;
}

/** A rate with a burst: `perMinute` sustained, `burst` at once (a GCRA token bucket). */
export interface Rate {
  perMinute: number;
  burst: number;
}

/** Identity, abuse limits, bans and the client's safe mode (docs/OPERATIONS.md, "Safety"). */
export interface SafetyConfig {
  /** Signs device cookies and keys address hashes; null: generated once and kept in PostgreSQL. */
  identitySecret: string | null;
  /** Proxies in front of the server whose X-Forwarded-For entries are trusted (0: none). */
  trustedProxyDepth: number;
  /** Cookies carry Secure (browsers accept it on https and on localhost). */
  cookieSecure: boolean;
  /** Open sockets one address may hold at once, across all instances. */
  connectionsPerAddress: number;
  /** Connects per address past which a solved bot check is required. */
  connectsBeforeChallenge: Rate;
  /** Connects per address that even a solved bot check does not pass. */
  connects: Rate;
  /** Enqueues (Start) per device. */
  enqueues: Rate;
  /** Skips and reports per device; past it the device cools down before it is queued again. */
  skips: Rate;
  /** Distinct reporting devices within a day that ban a device, and for how long. */
  autoBan: { reporters: number; hours: number };
  /** Devices reported by this many distinct devices within a week meet only each other (0: off). */
  shadowReporters: number;
  /** Proof-of-work difficulty: SHA-256 iterations per attempt of the bot check. */
  challengeCost: number;
  /** What the client's safe mode counts as unsafe (nsfwjs classes) and above which probability. */
  safeMode: { unsafe: string[]; threshold: number };
  /** Days sessions (and the connections in them) are kept, and reports. */
  retention: { days: number; reportDays: number };
}

export interface AdminConfig {
  /** Required for /admin when set; when unset, /admin is open in dev and refused otherwise. */
  token: string | null;
  /** How often /admin is refreshed and this instance's view is published to the others. */
  intervalMs: number;
}

export interface InspectConfig {
  /** Port of the relay this server starts (the Stately bridge page and its WebSocket). */
  port: number;
  /** An already running relay to send to instead of starting one (several instances, one relay). */
  relayUrl: string | null;
  filter: InspectFilter;
}

export interface Limits {
  /** Sustained client frames per second per socket, and the burst above it. */
  framesPerSecond: number;
  frameBurst: number;
  /** Bad or refused frames within ten seconds before the socket is closed with 1008. */
  abuseThreshold: number;
  /** Bytes waiting to be sent to one socket before it is closed with 4002 (its client does not read). */
  sendBufferBytes: number;
}

export type InspectFilter =
  | { kind: 'all' }
  /** Only users followed from /admin. */
  | { kind: 'none' }
  /** A stable share of users, by a hash of the user id, so every instance picks the same ones. */
  | { kind: 'sample'; rate: number }
  | { kind: 'users'; ids: string[] };

/** Parses `all`, `none`, `sample:<0..1>` or `user:<id>[,<id>…]`; returns an error message when bad. */
export function parseInspectFilter(raw: string | undefined): InspectFilter | string {
  const value = raw?.trim() ?? '';
  if (value === '' || value === 'all') return { kind: 'all' };
  if (value === 'none') return { kind: 'none' };
  const [kind, rest = ''] = value.split(/:(.*)/s, 2) as [string, string?];
  if (kind === 'sample') {
    const rate = Number(rest);
    if (rest.trim() === '' || !Number.isFinite(rate) || rate < 0 || rate > 1) {
      return `expected sample:<rate> with a rate from 0 to 1, got "${value}"`;
    }
    return { kind: 'sample', rate };
  }
  if (kind === 'user') {
    const ids = rest
      .split(',')
      .map((id) => id.trim())
      .filter(Boolean);
    if (ids.length === 0 || ids.some((id) => !/^[\w.-]{1,64}$/.test(id))) {
      return `expected user:<id>[,<id>…], got "${value}"`;
    }
    return { kind: 'users', ids };
  }
  return `expected all, none, sample:<rate> or user:<id>, got "${value}"`;
}

/** Thrown for a bad environment value; main prints `message` alone and exits. */
export class ConfigError extends Error {}

type Env = Record<string, string | undefined>;

function int(env: Env, name: string, fallback: number, min = 0, max = Number.MAX_SAFE_INTEGER): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!/^\d+$/.test(raw.trim())) throw new ConfigError(`${name} must be a whole number, got "${raw}"`);
  const value = Number(raw.trim());
  if (value < min || value > max) throw new ConfigError(`${name} must be between ${min} and ${max}, got ${value}`);
  return value;
}

function url(env: Env, name: string, schemes: string[]): string | null {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return null;
  let parsed: URL;
  try {
    parsed = new URL(raw.trim());
  } catch {
    throw new ConfigError(`${name} must be a URL (${schemes.join(', ')}), got "${raw}"`);
  }
  if (!schemes.includes(parsed.protocol.replace(/:$/, ''))) {
    throw new ConfigError(`${name} must use ${schemes.join(' or ')}, got "${parsed.protocol}"`);
  }
  return raw.trim();
}

function word(env: Env, name: string, fallback: string, pattern: RegExp): string {
  const raw = env[name]?.trim();
  if (!raw) return fallback;
  if (!pattern.test(raw)) throw new ConfigError(`${name} has an invalid value "${raw}" (expected ${pattern})`);
  return raw;
}

function livekit(env: Env): LiveKitConfig | null {
  const lkUrl = url(env, 'LIVEKIT_URL', ['ws', 'wss', 'http', 'https']);
  const apiKey = env.LIVEKIT_API_KEY?.trim();
  const apiSecret = env.LIVEKIT_API_SECRET?.trim();
  if (!lkUrl) return null;
  if (!apiKey) throw new ConfigError('LIVEKIT_API_KEY is required when LIVEKIT_URL is set');
  if (!apiSecret) throw new ConfigError('LIVEKIT_API_SECRET is required when LIVEKIT_URL is set');
  const publicUrl = url(env, 'PUBLIC_LIVEKIT_URL', ['ws', 'wss', 'http', 'https']) ?? lkUrl;
  return { url: lkUrl, apiKey, apiSecret, publicUrl };
}

function flag(env: Env, name: string): boolean {
  const raw = env[name]?.trim().toLowerCase();
  if (raw === undefined || raw === '' || raw === '0' || raw === 'false') return false;
  if (raw === '1' || raw === 'true') return true;
  throw new ConfigError(`${name} must be 1 or 0, got "${env[name]}"`);
}

function admin(env: Env): AdminConfig {
  const token = env.ADMIN_TOKEN?.trim() || null;
  if (token !== null && token.length < 16) throw new ConfigError('ADMIN_TOKEN must be at least 16 characters');
  // At most 5 s: the SSE stream must write well within Bun's 10 s idle timeout for HTTP connections.
  return { token, intervalMs: int(env, 'ADMIN_INTERVAL_MS', 1000, 100, 5000) };
}

function inspect(env: Env): InspectConfig | null {
  if (!flag(env, 'INSPECT')) return null;
  const filter = parseInspectFilter(env.INSPECT_FILTER);
  if (typeof filter === 'string') throw new ConfigError(`INSPECT_FILTER: ${filter}`);
  return {
    port: int(env, 'INSPECT_PORT', 8080, 1, 65535),
    relayUrl: url(env, 'INSPECT_RELAY_URL', ['ws', 'wss']),
    filter,
  };
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/** Parses and validates the environment. Throws ConfigError naming the first bad variable. */
export function loadConfig(env: Env): Config {
  const logLevel = (env.LOG_LEVEL?.trim() || 'info') as Config['logLevel'];
  if (!LOG_LEVELS.includes(logLevel)) {
    throw new ConfigError(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}, got "${env.LOG_LEVEL}"`);
  }
  const origins = env.ALLOWED_ORIGINS?.trim();
  return {
    port: int(env, 'PORT', 3000, 0, 65535),
    host: word(env, 'HOST', '0.0.0.0', /^[\w.:-]+$/),
    instanceId: word(env, 'INSTANCE_ID', `${hostname()}-${process.pid}`, /^[\w.-]{1,64}$/),
    redisUrl: url(env, 'REDIS_URL', ['redis', 'rediss']),
    redisPrefix: word(env, 'REDIS_PREFIX', 'mm', /^[\w.-]{1,32}$/),
    instanceTtlMs: int(env, 'INSTANCE_TTL_MS', 15_000, 300),
    databaseUrl: url(env, 'DATABASE_URL', ['postgres', 'postgresql']),
    dataDir: env.DATA_DIR?.trim() || '.data',
    livekit: livekit(env),
    resumeSecret: secret(env, 'RESUME_SECRET'),
    resumeTokenTtlMs: int(env, 'RESUME_TOKEN_TTL_MS', int(env, 'RESUME_GRACE_MS', T.resumeGraceMs, 0) + 30_000, 1000),
    allowedOrigins: origins ? origins.split(',').map((o) => o.trim()) : null,
    logLevel,
    timers: {
      readyTimeoutMs: int(env, 'READY_TIMEOUT_MS', T.readyTimeoutMs, 1),
      heartbeatTimeoutMs: int(env, 'HEARTBEAT_TIMEOUT_MS', T.heartbeatTimeoutMs, 1),
      interestFallbackMs: int(env, 'INTEREST_FALLBACK_MS', T.interestFallbackMs, 0),
      rematchCooldownMs: int(env, 'REMATCH_COOLDOWN_MS', T.rematchCooldownMs, 0),
      resumeGraceMs: int(env, 'RESUME_GRACE_MS', T.resumeGraceMs, 0),
      statsIntervalMs: int(env, 'STATS_INTERVAL_MS', T.statsIntervalMs, 100),
    },
    limits: {
      framesPerSecond: int(env, 'RATE_FRAMES_PER_SECOND', 30, 1),
      frameBurst: int(env, 'RATE_FRAME_BURST', 60, 1),
      abuseThreshold: int(env, 'ABUSE_THRESHOLD', 50, 1),
      sendBufferBytes: int(env, 'SEND_BUFFER_BYTES', 1024 * 1024, 16 * 1024, 64 * 1024 * 1024),
    },
    clientDir: env.CLIENT_DIR?.trim() || 'client/dist',
    dev: flag(env, 'SERENDIP_DEV'),
    admin: admin(env),
    inspect: inspect(env),
    safety: safety(env),
  };
}

function secret(env: Env, name: string): string | null {
  const raw = env[name]?.trim();
  if (!raw) return null;
  if (raw.length < 16) throw new ConfigError(`${name} must be at least 16 characters`);
  return raw;
}

/** `<perMinuteVar>` sustained and `<burstVar>` at once; without a burst variable the burst is the rate itself. */
function rate(env: Env, perMinuteVar: string, perMinute: number, burstVar: string | null, burst: number): Rate {
  const sustained = int(env, perMinuteVar, perMinute, 1);
  return { perMinute: sustained, burst: burstVar ? int(env, burstVar, burst, 1) : sustained };
}

const NSFW_CLASSES = ['Drawing', 'Hentai', 'Neutral', 'Porn', 'Sexy'];

function safety(env: Env): SafetyConfig {
  const unsafe = (env.SAFE_MODE_UNSAFE_CLASSES?.trim() || 'Porn,Hentai,Sexy').split(',').map((c) => c.trim());
  const unknown = unsafe.filter((c) => !NSFW_CLASSES.includes(c));
  if (unknown.length > 0) {
    throw new ConfigError(
      `SAFE_MODE_UNSAFE_CLASSES: unknown class ${unknown.join(', ')} (known: ${NSFW_CLASSES.join(', ')})`,
    );
  }
  const threshold = Number(env.SAFE_MODE_THRESHOLD?.trim() || '0.6');
  if (!Number.isFinite(threshold) || threshold <= 0 || threshold >= 1) {
    throw new ConfigError(`SAFE_MODE_THRESHOLD must be between 0 and 1, got "${env.SAFE_MODE_THRESHOLD}"`);
  }
  const identitySecret = secret(env, 'IDENTITY_SECRET');
  if (identitySecret !== null && identitySecret.length < 32) {
    throw new ConfigError('IDENTITY_SECRET must be at least 32 characters');
  }
  return {
    identitySecret,
    trustedProxyDepth: int(env, 'TRUSTED_PROXY_DEPTH', 0, 0, 10),
    cookieSecure:
      env.COOKIE_SECURE === undefined || env.COOKIE_SECURE.trim() === '' ? true : flag(env, 'COOKIE_SECURE'),
    connectionsPerAddress: int(env, 'CONNECTIONS_PER_ADDRESS', 30, 1),
    connectsBeforeChallenge: rate(env, 'CONNECTS_PER_MINUTE_BEFORE_CHALLENGE', 30, null, 0),
    connects: rate(env, 'CONNECTS_PER_MINUTE', 120, null, 0),
    enqueues: rate(env, 'ENQUEUE_RATE_PER_MINUTE', 30, 'ENQUEUE_BURST', 10),
    skips: rate(env, 'SKIP_RATE_PER_MINUTE', 30, 'SKIP_BURST', 20),
    autoBan: { reporters: int(env, 'AUTO_BAN_REPORTERS', 3, 1), hours: int(env, 'AUTO_BAN_HOURS', 24, 1) },
    shadowReporters: int(env, 'SHADOW_POOL_REPORTERS', 0, 0),
    challengeCost: int(env, 'CHALLENGE_COST', 5000, 1, 10_000_000),
    safeMode: { unsafe, threshold },
    retention: {
      days: int(env, 'RETENTION_DAYS', 90, 1, 3650),
      reportDays: int(env, 'REPORT_RETENTION_DAYS', 365, 1, 3650),
    },
  };
}
