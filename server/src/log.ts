/**
 * Structured JSON logs (pino), one line per event with `instance` on every line. Never chat text,
 * tokens, cookies or raw IP addresses: the paths below are censored wherever a caller puts them.
 * Field names are fixed so logs can be joined: `userId`, `sessionId`, `reqId`.
 */
import pino, { type DestinationStream } from 'pino';
import type { Config } from './config.ts';

export type Log = pino.Logger;

const SECRET_KEYS = ['token', 'resumeToken', 'text', 'ip', 'authorization', 'cookie', 'remoteAddress', 'adminToken'];

/** Each secret key at the top level and one level down (pino's redaction has no deep wildcard). */
export const REDACT_PATHS = [
  ...SECRET_KEYS,
  ...SECRET_KEYS.map((k) => `*.${k}`),
  'req.headers.authorization',
  'req.headers.cookie',
  'headers["x-forwarded-for"]',
  '*.headers["x-forwarded-for"]',
  '*.headers.authorization',
  '*.headers.cookie',
];

export function createLog(
  config: Pick<Config, 'logLevel' | 'instanceId'>,
  destination: DestinationStream | undefined = undefined,
): Log {
  const options: pino.LoggerOptions = {
    level: config.logLevel,
    base: { instance: config.instanceId },
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
  };
  return destination ? pino(options, destination) : pino(options);
}

/**
 * Human-readable output for `bun run dev`, from pino-pretty (a dev dependency). Undefined when it
 * is not installed (a production install), so the logs stay JSON. In-process rather than a pino
 * transport: no worker thread, and nothing is lost when the dev server restarts on a change.
 */
export async function prettyDestination(to?: NodeJS.WritableStream): Promise<DestinationStream | undefined> {
  try {
    const { default: pretty } = await import('pino-pretty');
    const options = { colorize: !to, translateTime: 'HH:MM:ss.l', ignore: 'pid,hostname', sync: true };
    return pretty(to ? { ...options, destination: to } : options);
  } catch {
    return undefined;
  }
}
