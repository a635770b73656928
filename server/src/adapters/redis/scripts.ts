/**
 * Loads the Lua scripts (each with the shared prelude) and registers them on an ioredis client,
 * which runs them with EVALSHA and falls back to EVAL after a script flush.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type Redis from 'ioredis';

const dir = join(import.meta.dir, 'scripts');
const prelude = readFileSync(join(dir, 'lib.lua'), 'utf8');

/** Script name → number of KEYS it takes. */
const SCRIPTS = { claim: 2, ready: 1, close: 1, leave: 1, beat: 1, sweep: 1, adopt: 1, admit: 3, unadmit: 1 } as const;

export type ScriptName = keyof typeof SCRIPTS;
type Reply = null | string | number | Reply[];
export type ScriptCall = (keys: string[], args: (string | number)[]) => Promise<Reply>;

/** The source of one script as Redis runs it (prelude included), e.g. for benchmarks. */
export function scriptSource(name: ScriptName): string {
  return `${prelude}\n${readFileSync(join(dir, `${name}.lua`), 'utf8')}`;
}

/** Defines every script on the client and returns callers keyed by name. */
export function defineScripts(redis: Redis): Record<ScriptName, ScriptCall> {
  const calls = {} as Record<ScriptName, ScriptCall>;
  for (const [name, numberOfKeys] of Object.entries(SCRIPTS) as [ScriptName, number][]) {
    const command = `serendip_${name}`;
    redis.defineCommand(command, { numberOfKeys, lua: scriptSource(name) });
    const fn = (redis as unknown as Record<string, (...a: (string | number)[]) => Promise<Reply>>)[command];
    if (!fn) throw new Error(`script ${name} was not registered`);
    calls[name] = (keys, args) => fn.call(redis, ...keys, ...args);
  }
  return calls;
}
