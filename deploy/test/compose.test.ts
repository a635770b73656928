/**
 * compose.yaml for one host, checked against the Compose Specification by compose-go (the library
 * docker compose is built on), after the same interpolation compose does with env.example; then
 * the wiring the schema cannot see: two server instances sharing one identity secret, Caddy
 * balancing over both on /readyz, LiveKit's version and webhook.
 */
import { describe, expect, test } from 'bun:test';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { envFile, goTool, run, serverVariables, text, yamlDocs } from './support/tools.ts';

const DIR = 'deploy/compose';
const source = text(`${DIR}/compose.yaml`);
const example = envFile(`${DIR}/env.example`);

/** Compose's interpolation: ${VAR}, ${VAR:-default}, ${VAR:?error}, from `vars`. */
function interpolate(yaml: string, vars: Record<string, string>): string {
  return yaml.replace(/\$\{([A-Z_][A-Z0-9_]*)(?::([-?])([^}]*))?\}/g, (_m, name: string, op?: string, arg?: string) => {
    const value = vars[name];
    if (value !== undefined && value !== '') return value;
    if (op === '-') return arg ?? '';
    if (op === '?') throw new Error(`${name} is required: ${arg}`);
    return '';
  });
}

interface Service {
  image: string;
  environment?: Record<string, string>;
  depends_on?: Record<string, unknown>;
  volumes?: string[];
}
const project = yamlDocs(interpolate(source, example))[0] as { services: Record<string, Service>; volumes: object };
const services = project.services;
const servers = Object.entries(services).filter(([, s]) => s.environment?.INSTANCE_ID);

describe('compose.yaml', () => {
  test('is a valid Compose file once env.example fills it in', () => {
    const dir = mkdtempSync(join(tmpdir(), 'serendip-compose-'));
    try {
      writeFileSync(join(dir, 'compose.yaml'), interpolate(source, example));
      writeFileSync(join(dir, 'Caddyfile'), text(`${DIR}/Caddyfile`));
      const r = run([goTool('compose-spec'), '--format', 'json', 'compose.yaml'], { cwd: dir });
      expect(r.err).not.toContain('failed');
      expect(r.code).toBe(0);
      expect(Object.keys(JSON.parse(r.out).services).sort()).toEqual(Object.keys(services).sort());
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('refuses to start without the secrets (compose stops on the first missing one)', () => {
    expect(() => interpolate(source, { ...example, RESUME_SECRET: '' })).toThrow(/RESUME_SECRET/);
    expect(() => interpolate(source, { ...example, POSTGRES_PASSWORD: '' })).toThrow(/POSTGRES_PASSWORD/);
  });

  test('runs Redis, PostgreSQL, LiveKit, two server instances and a proxy', () => {
    expect(services.redis?.image).toStartWith('docker.io/library/redis:');
    expect(services.postgres?.image).toStartWith('docker.io/library/postgres:');
    const version = text('scripts/setup.mjs').match(/LIVEKIT_VERSION = '([\d.]+)'/)?.[1];
    expect(services.livekit?.image).toBe(`docker.io/livekit/livekit-server:v${version}`);
    expect(servers.map(([, s]) => s.environment?.INSTANCE_ID).sort()).toEqual(['server-a', 'server-b']);
    expect(services.proxy?.image).toStartWith('docker.io/library/caddy:');
  });

  test('the instances share the resume secret and the stores, and set only variables the server reads', () => {
    const [a, b] = servers.map(([, s]) => s.environment ?? {});
    expect(a?.RESUME_SECRET).toBe(example.RESUME_SECRET as string);
    const { INSTANCE_ID: _a, ...restA } = a ?? {};
    const { INSTANCE_ID: _b, ...restB } = b ?? {};
    expect(restA).toEqual(restB);
    expect(restA.REDIS_URL).toBe('redis://redis:6379');
    const known = serverVariables();
    expect(Object.keys(a ?? {}).filter((name) => !known.has(name))).toEqual([]);
  });

  test('Caddy balances over every instance on /readyz, and LiveKit posts webhooks through it', () => {
    const caddy = text(`${DIR}/Caddyfile`);
    const upstreams = caddy
      .match(/reverse_proxy (server-[^{]+)\{/)?.[1]
      ?.trim()
      .split(/\s+/);
    expect(upstreams?.sort()).toEqual(servers.map(([name]) => `${name}:3000`).sort());
    expect(caddy).toMatch(/health_uri \/readyz/);
    expect(caddy).toMatch(/@metrics path \/metrics\s+respond @metrics 404/);
    const config = yamlDocs(services.livekit?.environment?.LIVEKIT_CONFIG ?? '')[0] as Record<string, unknown>;
    expect(config.webhook).toEqual({ api_key: example.LIVEKIT_API_KEY, urls: ['http://proxy:8081/livekit/webhook'] });
    expect(config.keys).toEqual({ [example.LIVEKIT_API_KEY as string]: example.LIVEKIT_API_SECRET });
    expect(caddy).toMatch(/^:8081 \{\s+import servers\s+\}/m);
  });

  test('every named volume a service mounts is declared', () => {
    const mounted = Object.values(services).flatMap((s) => (s.volumes ?? []).map((v) => v.split(':')[0] as string));
    const named = mounted.filter((v) => !v.startsWith('.') && !v.startsWith('/'));
    expect(named.filter((v) => !(v in project.volumes))).toEqual([]);
  });
});
