#!/usr/bin/env node
/**
 * Set-up for a fresh machine that has only Node.js (>= 20) and npm. Idempotent: each step checks
 * first and does nothing when its part is already there.
 *
 *   node scripts/setup.mjs dev    dependencies + Bun (+ LiveKit when Go is there)
 *   node scripts/setup.mjs test   dependencies + Bun + Redis + PostgreSQL (+ the test tools: LiveKit,
 *                                 k6, Chromium, podman and the image's base, kustomize, compose-spec)
 *   node scripts/setup.mjs load   dependencies + Bun + Redis + PostgreSQL + k6 (`bun run load` runs it)
 *
 * Plain Node with no dependencies, because it runs before anything else is installed.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createConnection } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const purpose = process.argv[2] ?? 'dev';
const say = (msg) => console.log(`[setup] ${msg}`);
const fail = (msg) => {
  console.error(`[setup] ${msg}`);
  process.exit(1);
};

const has = (cmd) => spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
const run = (cmd, args, opts = {}) => {
  const r = spawnSync(cmd, args, { stdio: 'inherit', cwd: root, ...opts });
  if (r.status !== 0) fail(`"${cmd} ${args.join(' ')}" failed (exit ${r.status ?? r.signal})`);
};
const isRoot = process.getuid?.() === 0;
const sudo = (cmd, args) => (isRoot ? run(cmd, args) : run('sudo', [cmd, ...args]));

function portOpen(port, host = '127.0.0.1', timeoutMs = 500) {
  return new Promise((resolve) => {
    const s = createConnection({ port, host });
    const done = (ok) => {
      s.destroy();
      resolve(ok);
    };
    s.setTimeout(timeoutMs, () => done(false));
    s.once('connect', () => done(true));
    s.once('error', () => done(false));
  });
}

async function waitPort(port, what, seconds = 30) {
  for (let i = 0; i < seconds * 5; i++) {
    if (await portOpen(port)) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  fail(`${what} did not start listening on port ${port}`);
}

let aptUpdated = false;
function aptInstall(...pkgs) {
  if (!has('apt-get')) fail(`cannot install ${pkgs.join(', ')}: no apt-get here; install them yourself`);
  if (!aptUpdated) {
    sudo('apt-get', ['update', '-qq']);
    aptUpdated = true;
  }
  say(`installing ${pkgs.join(', ')} with apt-get`);
  sudo('apt-get', ['install', '-y', '-qq', ...pkgs]);
}

function ensureNode() {
  const [major, minor] = process.versions.node.split('.').map(Number);
  // Vite (the client build) needs 20.19+ on the 20 line.
  if (major < 20 || (major === 20 && minor < 19)) fail(`Node.js 20.19 or newer is needed (this is ${process.version})`);
}

/** npm install when node_modules is missing or package-lock.json changed since the last install. */
function ensureDependencies() {
  const lock = join(root, existsSync(join(root, 'package-lock.json')) ? 'package-lock.json' : 'package.json');
  const stamp = join(root, 'node_modules', '.serendip-installed');
  const want = createHash('sha256').update(readFileSync(lock)).digest('hex');
  if (existsSync(stamp) && readFileSync(stamp, 'utf8') === want) return;
  say('installing dependencies (npm install)');
  run('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error']);
  writeFileSync(stamp, want);
}

/** Bun comes from npm as a dev dependency; its postinstall may have been skipped. */
function ensureBun() {
  const bun = join(root, 'node_modules', '.bin', 'bun');
  const works = () => spawnSync(bun, ['--version'], { stdio: 'ignore' }).status === 0;
  if (works()) return;
  say('finishing the Bun install');
  run('node', [join(root, 'node_modules', 'bun', 'install.js')]);
  if (!works()) fail('Bun did not install: node_modules/.bin/bun --version fails');
}

function redisTarget() {
  const url = new URL(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
  return {
    host: url.hostname,
    port: Number(url.port || 6379),
    local: ['127.0.0.1', 'localhost'].includes(url.hostname),
  };
}

async function ensureRedis() {
  const { host, port, local } = redisTarget();
  if (await portOpen(port, host)) return;
  if (!local) fail(`Redis at ${host}:${port} (REDIS_URL) does not answer`);
  if (!has('redis-server')) aptInstall('redis-server');
  say(`starting redis-server on port ${port}`);
  run('redis-server', [
    '--daemonize',
    'yes',
    '--bind',
    '127.0.0.1',
    '--port',
    String(port),
    '--save',
    '',
    '--appendonly',
    'no',
  ]);
  await waitPort(port, 'Redis');
}

async function ensurePostgres() {
  const url = new URL(process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres');
  const port = Number(url.port || 5432);
  if (await portOpen(port, url.hostname)) return;
  if (!['127.0.0.1', 'localhost'].includes(url.hostname))
    fail(`PostgreSQL at ${url.host} (DATABASE_URL) does not answer`);
  if (!has('pg_ctlcluster')) {
    aptInstall('postgresql');
    // A fresh cluster: let local TCP connections in without a password, as the dev machines do.
    const version = execFileSync('ls', ['/etc/postgresql']).toString().trim().split('\n')[0];
    const hba = `/etc/postgresql/${version}/main/pg_hba.conf`;
    writeFileSync(hba, `local all all trust\nhost all all 127.0.0.1/32 trust\nhost all all ::1/128 trust\n`);
  }
  const version = execFileSync('ls', ['/etc/postgresql']).toString().trim().split('\n')[0];
  say(`starting PostgreSQL ${version}`);
  run('pg_ctlcluster', ['--skip-systemctl-redirect', version, 'main', 'start']);
  await waitPort(port, 'PostgreSQL');
}

/** Where Go puts the binaries it builds; the scripts look for livekit-server and k6 there. */
export function goBin() {
  if (!has('go')) return null;
  const gopath = execFileSync('go', ['env', 'GOPATH']).toString().trim();
  return join(gopath, 'bin');
}

/** Whether `bin` exists and prints a version containing `want`. */
function hasVersion(bin, args, want) {
  if (!existsSync(bin)) return false;
  const r = spawnSync(bin, args, { encoding: 'utf8' });
  return r.status === 0 && `${r.stdout}${r.stderr}`.includes(want);
}

export const LIVEKIT_VERSION = '1.13.5';
export const K6_VERSION = '2.2.0';

/** livekit-server, pinned, built with Go (`go install …/cmd/server`, renamed). */
function ensureLivekit({ required }) {
  const dir = goBin();
  if (!dir) {
    const msg =
      'Go is not installed, so livekit-server cannot be built: video is off (text chat works). Install Go (https://go.dev/dl/) and run this again.';
    if (required) fail(msg);
    say(msg);
    return;
  }
  const bin = join(dir, 'livekit-server');
  if (hasVersion(bin, ['--version'], LIVEKIT_VERSION)) return;
  say(`building livekit-server ${LIVEKIT_VERSION} with Go (a few minutes, once)`);
  run('go', ['install', `github.com/livekit/livekit-server/cmd/server@v${LIVEKIT_VERSION}`]);
  run('mv', ['-f', join(dir, 'server'), bin]);
}

/**
 * k6, pinned. The module proxy does not list k6/v2's versions, which trips `go install`'s
 * deprecation check, so the exact version is downloaded and built from the module cache.
 */
function ensureK6() {
  const dir = goBin();
  if (!dir) fail('Go is needed to build k6 for the load tests; install Go (https://go.dev/dl/) and run this again.');
  const bin = join(dir, 'k6');
  if (hasVersion(bin, ['version'], `v${K6_VERSION}`)) return;
  say(`building k6 v${K6_VERSION} with Go (a minute or two, once)`);
  const mod = `go.k6.io/k6/v2@v${K6_VERSION}`;
  const info = JSON.parse(execFileSync('go', ['mod', 'download', '-json', mod]).toString());
  run('go', ['build', '-o', bin, '.'], { cwd: info.Dir, env: { ...process.env, GOFLAGS: '-mod=mod' } });
}

/**
 * Redis for a load run: the runner starts a private `redis-server` per run unless REDIS_URL names
 * one, so it needs the binary (or, with REDIS_URL, a Redis that answers).
 */
async function ensureRedisForLoad() {
  if (process.env.REDIS_URL) return ensureRedis();
  if (!has('redis-server')) aptInstall('redis-server');
}

export const KUSTOMIZE_VERSION = '5.7.1';
// compose-go's own validator (cmd/); 2.16 is the last line that builds with Go 1.26.8 and GOTOOLCHAIN=local.
export const COMPOSE_GO_VERSION = '2.16.2';
/** The Containerfile's base; made here from Debian's packages when no registry is reachable. */
export const BASE_IMAGE = 'docker.io/library/debian:bookworm-slim';
/** podman settings the deploy test uses (runc, no default ulimits): deploy/podman/containers.conf. */
export const CONTAINERS_CONF = join(root, 'deploy', 'podman', 'containers.conf');

/** Whether a binary built by `go install` embeds module `mod` at `version` (`go version -m`). */
function goBuilt(bin, mod, version) {
  if (!existsSync(bin)) return false;
  const r = spawnSync('go', ['version', '-m', bin], { encoding: 'utf8' });
  return r.status === 0 && r.stdout.includes(`\tmod\t${mod}\tv${version}\t`);
}

/** The Go tools the deploy tests run, pinned: the binary's name, its package, the module it is in. */
const GO_TOOLS = [
  { name: 'kustomize', pkg: 'sigs.k8s.io/kustomize/kustomize/v5', version: KUSTOMIZE_VERSION },
  { name: 'compose-spec', pkg: 'github.com/compose-spec/compose-go/v2/cmd', version: COMPOSE_GO_VERSION },
];

/** A pinned Go tool in Go's bin directory, under `name` (go install names it after its package). */
function ensureGoTool({ name, pkg, version }) {
  const dir = goBin();
  if (!dir) fail(`Go is needed to build ${name} for the deploy tests; install Go (https://go.dev/dl/)`);
  const bin = join(dir, name);
  // The module is the package without its command directory (…/compose-go/v2/cmd is in …/v2).
  const mod = pkg.replace(/\/cmd$/, '');
  if (goBuilt(bin, mod, version)) return;
  say(`building ${name} ${version} with Go (seconds, once)`);
  run('go', ['install', `${pkg}@v${version}`]);
  // go install names the binary after the package's last path element, skipping a major version
  // (…/kustomize/v5 → kustomize, …/compose-go/v2/cmd → cmd).
  const parts = pkg.split('/');
  const built = join(dir, /^v\d+$/.test(parts.at(-1)) ? parts.at(-2) : parts.at(-1));
  if (built !== bin) run('mv', ['-f', built, bin]);
}

/**
 * What the deploy test needs: podman and runc (crun does not work on the CI box), debootstrap,
 * and the Containerfile's base image, made from Debian's packages (deploy/container/base-image.sh)
 * when podman's store lacks it, so a fresh machine builds the image without a container registry.
 * Where podman cannot work at all, say so and go on: the deploy test reports it as SKIPPED.
 */
function ensureContainerTools() {
  const missing = ['podman', 'runc', 'debootstrap'].filter((cmd) => !has(cmd));
  if (missing.length > 0) aptInstall(...missing);
  const env = { ...process.env, CONTAINERS_CONF };
  if (spawnSync('podman', ['info'], { stdio: 'ignore', env }).status !== 0) {
    say('podman is installed but does not work here (`podman info` fails): the deploy test will be skipped');
    return;
  }
  if (spawnSync('podman', ['image', 'exists', BASE_IMAGE], { env }).status === 0) return;
  if (!isRoot) {
    // debootstrap needs root, and root's podman keeps its images apart from a user's.
    say(`${BASE_IMAGE} is missing: pull it, or make it as root with deploy/container/base-image.sh`);
    return;
  }
  say(`making the base image ${BASE_IMAGE} with debootstrap (about a minute, once)`);
  const script = join(root, 'deploy', 'container', 'base-image.sh');
  const r = spawnSync(script, [BASE_IMAGE], { stdio: 'inherit', env });
  if (r.status !== 0) fail(`making ${BASE_IMAGE} failed (deploy/container/base-image.sh)`);
}

/** Debian's Chromium for the browser tests (a test tool's own browser download cannot work here). */
function ensureChromium() {
  if (existsSync('/usr/bin/chromium')) return;
  aptInstall('chromium');
}

const isMain = process.argv[1] === fileURLToPath(import.meta.url);
if (isMain) {
  ensureNode();
  ensureDependencies();
  ensureBun();
  if (purpose === 'dev') ensureLivekit({ required: false });
  if (purpose === 'test') {
    await ensureRedis();
    await ensurePostgres();
    ensureLivekit({ required: true });
    ensureK6();
    ensureChromium();
    ensureContainerTools();
    for (const tool of GO_TOOLS) ensureGoTool(tool);
  }
  if (purpose === 'load') {
    await ensureRedisForLoad();
    await ensurePostgres();
    ensureK6();
  }
}
