/**
 * podman for the container test, always with the repository's containers.conf: whether it can
 * run containers here at all, the image build, and the facts of an image.
 */
import { existsSync } from 'node:fs';
import { CONTAINERS_CONF, type Ran, ROOT, run } from './tools.ts';

/** The Containerfile's base (scripts/setup.mjs makes it from Debian's packages when it is missing). */
export const BASE_IMAGE = 'docker.io/library/debian:bookworm-slim';

/** podman with the test's configuration. */
export const podman = (args: string[], input?: string): Ran =>
  run(['podman', ...args], { env: { CONTAINERS_CONF }, ...(input === undefined ? {} : { input }) });

/** Like podman(), but a non-zero exit throws with what it printed. */
export function podmanOk(args: string[], input?: string): string {
  const r = podman(args, input);
  if (r.code !== 0) throw new Error(`podman ${args.join(' ')} exited with ${r.code}:\n${r.out}\n${r.err}`);
  return r.out;
}

/**
 * Why podman cannot run a container on this machine, or null when it can. Only a podman that is
 * missing or cannot start any container counts; a missing base image is the set-up's failure.
 */
export function whyPodmanCannotRun(): string | null {
  if (run(['sh', '-c', 'command -v podman']).code !== 0) return 'podman is not installed';
  const info = podman(['info']);
  if (info.code !== 0) return `\`podman info\` fails: ${info.err.trim().split('\n').at(-1)}`;
  if (podman(['image', 'exists', BASE_IMAGE]).code !== 0) return null; // the build says what is missing
  const probe = podman(['run', '--rm', '--network', 'host', BASE_IMAGE, 'true']);
  return probe.code === 0 ? null : `\`podman run\` fails: ${probe.err.trim().split('\n').at(-1)}`;
}

/**
 * Builds the Containerfile as CI and operators do, on the local base (`--pull=never`). The host's
 * CA bundle goes in as the `extra-ca` build secret: behind a TLS-inspecting proxy (the CI box)
 * the package installs need it, and it is never stored in a layer.
 */
export function buildImage(tag: string): void {
  if (podman(['image', 'exists', BASE_IMAGE]).code !== 0) {
    throw new Error(`${BASE_IMAGE} is missing: run \`node scripts/setup.mjs test\` (deploy/container/base-image.sh)`);
  }
  const ca = ['/etc/ssl/certs/ca-certificates.crt', process.env.SSL_CERT_FILE].find((f) => f && existsSync(f));
  const secret = ca ? ['--secret', `id=extra-ca,src=${ca}`] : [];
  const args = ['build', '--pull=never', '--format', 'docker', '--network', 'host', ...secret, '-t', tag, ROOT];
  podmanOk(args);
}

/** What the tests check of a built image. */
export interface ImageFacts {
  sizeBytes: number;
  user: string;
  healthcheck: string[] | null;
  cmd: string[];
}

export function imageFacts(tag: string): ImageFacts {
  // podman reports the healthcheck beside Config, not in it.
  const [info] = JSON.parse(podmanOk(['image', 'inspect', tag])) as {
    Size: number;
    Config: { User: string; Cmd: string[] };
    Healthcheck?: { Test: string[] };
  }[];
  if (!info) throw new Error(`no image ${tag}`);
  return {
    sizeBytes: info.Size,
    user: info.Config.User,
    healthcheck: info.Healthcheck?.Test ?? null,
    cmd: info.Config.Cmd,
  };
}
