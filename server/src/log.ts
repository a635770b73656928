/** Structured JSON logs (pino). Never chat text, tokens or raw IP addresses. */
import pino from 'pino';
import type { Config } from './config.ts';

export type Log = pino.Logger;

export function createLog(config: Pick<Config, 'logLevel' | 'instanceId'>): Log {
  return pino({
    level: config.logLevel,
    base: { instance: config.instanceId },
    redact: { paths: ['token', 'resumeToken', 'text', '*.token', '*.text', 'ip'], censor: '[redacted]' },
  });
}
