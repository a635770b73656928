/**
 * What the deploy tests run: the repository's paths, the pinned Go tools the set-up builds
 * (kustomize, compose-spec) and podman with the repository's containers.conf.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export const ROOT = join(import.meta.dir, '../../..');
export const DEPLOY = join(ROOT, 'deploy');
/** runc and no default ulimits: what podman needs on the CI box (the file says why). */
export const CONTAINERS_CONF = join(DEPLOY, 'podman', 'containers.conf');

/** The outcome of a finished command. */
export interface Ran {
  code: number;
  out: string;
  err: string;
}

/** Runs a command to its end and captures what it printed. */
export function run(cmd: string[], opts: { cwd?: string; env?: Record<string, string>; input?: string } = {}): Ran {
  const [bin, ...args] = cmd as [string, ...string[]];
  const r = spawnSync(bin, args, {
    cwd: opts.cwd ?? ROOT,
    env: { ...process.env, ...opts.env },
    input: opts.input,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  return { code: r.status ?? -1, out: r.stdout ?? '', err: `${r.stderr ?? ''}${r.error ? String(r.error) : ''}` };
}

/** Like run(), but a non-zero exit throws with everything the command printed. */
export function must(cmd: string[], opts: Parameters<typeof run>[1] = {}): string {
  const r = run(cmd, opts);
  if (r.code !== 0) throw new Error(`${cmd.join(' ')} exited with ${r.code}:\n${r.out}\n${r.err}`);
  return r.out;
}

/** A binary `go install` put in Go's bin directory (scripts/setup.mjs builds the pinned ones). */
export function goTool(name: string): string {
  const gopath = run(['go', 'env', 'GOPATH']).out.trim();
  const bin = join(gopath || join(process.env.HOME ?? '/root', 'go'), 'bin', name);
  if (!existsSync(bin)) throw new Error(`${name} is not installed: run \`node scripts/setup.mjs test\``);
  return bin;
}

/** A repository file's text. */
export const text = (path: string): string => readFileSync(join(ROOT, path), 'utf8');

/** Every YAML document of a multi-document string (Bun's parser returns one or an array). */
export function yamlDocs(source: string): Record<string, unknown>[] {
  const parsed = Bun.YAML.parse(source) as unknown;
  return (Array.isArray(parsed) ? parsed : [parsed]).filter((d): d is Record<string, unknown> => d !== null);
}

/** `KEY=value` lines of an env file (comments and blanks skipped). */
export function envFile(path: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text(path).split('\n')) {
    const m = line.match(/^([A-Z][A-Z0-9_]*)=(.*)$/);
    if (m) out[m[1] as string] = m[2] as string;
  }
  return out;
}

/** The environment variables the server reads (config.ts is the only module that reads any). */
export function serverVariables(): Set<string> {
  const source = text('server/src/config.ts');
  const names = [...source.matchAll(/\benv\.([A-Z][A-Z0-9_]+)|\(env, '([A-Z][A-Z0-9_]+)'/g)].map((m) => m[1] ?? m[2]);
  return new Set(names.filter((n): n is string => n !== undefined));
}
