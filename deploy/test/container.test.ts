/**
 * The image, run the way the Kubernetes manifests run it: built from the Containerfile, three
 * instances of the Deployment started by `podman kube play` against this machine's Redis and
 * PostgreSQL. Users on different containers pair and chat; a container killed outright is swept
 * by the survivors and its users' partners are told; a container stopped with SIGTERM drains,
 * tells its partners at once and exits 0.
 *
 * Where podman cannot run a container at all, the tests are skipped with the reason printed,
 * and the test runner counts every skipped test as a failure: the image was not verified.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../../scripts/lib/server-process.ts';
import { pairText, TestClient } from '../../server/test/support/client.ts';
import { freshStores, type Stores } from '../../server/test/support/server.ts';
import { type Instance, kubePlayYaml } from './support/instances.ts';
import { buildImage, imageFacts, podman, podmanOk, whyPodmanCannotRun } from './support/podman.ts';

const cannot = whyPodmanCannotRun();
if (cannot)
  console.log(`SKIPPED deploy/test/container.test.ts: ${cannot}; counted as failed, the image is not verified`);

const run = `t${crypto.randomUUID().slice(0, 6)}`;
const image = `localhost/serendip:test-${run}`;
const TTL_MS = 3000;

describe.skipIf(cannot !== null)('the image under podman kube play', () => {
  let stores: Stores;
  let dir: string;
  let yaml: string;
  const at: Record<'a' | 'b' | 'c', Instance> = {
    a: { name: '', port: 0 },
    b: { name: '', port: 0 },
    c: { name: '', port: 0 },
  };
  const ws = (i: Instance) => `ws://127.0.0.1:${i.port}/ws`;
  const container = (i: Instance) => `${i.name}-pod-0-server`;

  beforeAll(async () => {
    const t0 = performance.now();
    buildImage(image);
    console.log(`image built in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    stores = await freshStores('real');
    for (const k of ['a', 'b', 'c'] as const) at[k] = { name: `serendip-${run}-${k}`, port: await freePort() };
    dir = mkdtempSync(join(tmpdir(), 'serendip-kube-'));
    yaml = join(dir, 'deploy.yaml');
    writeFileSync(
      yaml,
      kubePlayYaml({
        image,
        instances: Object.values(at),
        secrets: {
          RESUME_SECRET: `resume-${run}-shared-by-every-instance`,
          LIVEKIT_API_KEY: 'APIunused',
          LIVEKIT_API_SECRET: 'unused-because-no-livekit-url-is-set',
          ADMIN_TOKEN: `admin-${run}-token-16+`,
          REDIS_URL: stores.env.REDIS_URL as string,
          DATABASE_URL: stores.env.DATABASE_URL as string,
        },
        // Text only (no LiveKit here); a prefix of its own in the shared Redis; a short sweep.
        config: {
          LIVEKIT_URL: null,
          PUBLIC_LIVEKIT_URL: null,
          REDIS_PREFIX: stores.env.REDIS_PREFIX as string,
          INSTANCE_TTL_MS: String(TTL_MS),
        },
      }),
    );
    podmanOk(['kube', 'play', yaml]);
    await Promise.all(Object.values(at).map((i) => ready(i)));
  }, 900_000);

  afterAll(async () => {
    if (yaml) podman(['kube', 'down', yaml]);
    podman(['rmi', image]);
    if (dir) rmSync(dir, { recursive: true, force: true });
    await stores?.drop();
  });

  test('the image is small, runs as an unprivileged user, and its HEALTHCHECK passes', () => {
    const facts = imageFacts(image);
    console.log(`image size ${(facts.sizeBytes / 1e6).toFixed(0)} MB`);
    expect(facts.sizeBytes).toBeLessThan(300e6);
    expect(facts.user).toBe('serendip:serendip');
    expect(facts.cmd).toEqual(['bun', 'server/src/main.ts']);
    expect(facts.healthcheck).toEqual(['CMD', 'bun', 'deploy/container/healthcheck.ts']);
    expect(podman(['exec', container(at.a), 'id', '-u']).out.trim()).toBe('10001');
    expect(podman(['exec', container(at.a), ...(facts.healthcheck ?? []).slice(1)]).code).toBe(0);
    // The root filesystem is read-only, as the manifest asks.
    expect(podman(['exec', container(at.a), 'touch', '/app/x']).code).not.toBe(0);
  });

  test('users on two containers pair and chat; killing one tells its partner on the other', async () => {
    const a = await TestClient.hello(ws(at.a));
    const b = await TestClient.hello(ws(at.b));
    const sid = await pairText(a, b);
    b.send({ type: 'message', sessionId: sid, text: 'from another container' });
    expect(await a.next('message')).toMatchObject({ sessionId: sid, text: 'from another container' });

    podmanOk(['kill', '--signal', 'KILL', container(at.b)]);
    const keepAlive = setInterval(() => a.send({ type: 'ping' }), 1000);
    try {
      // Dead once its last beat is older than the TTL; swept at a survivor's next beat (2 s).
      const left = await a.until('peerLeft', TTL_MS + 10_000);
      expect(left).toEqual({ type: 'peerLeft', sessionId: sid, reason: 'disconnect' });
      expect((await a.next('waiting')).type).toBe('waiting');
    } finally {
      clearInterval(keepAlive);
      a.close();
      b.close();
    }
  }, 60_000);

  test('SIGTERM drains a container: its partner is told at once, and it exits 0', async () => {
    const a = await TestClient.hello(ws(at.a));
    const c = await TestClient.hello(ws(at.c));
    const sid = await pairText(a, c);
    const t0 = Date.now();
    podmanOk(['stop', '--time', '30', container(at.c)]);
    expect(await a.until('peerLeft', 5000)).toEqual({ type: 'peerLeft', sessionId: sid, reason: 'disconnect' });
    // Well inside the sweep's TTL: the drain closed the session itself.
    expect(Date.now() - t0).toBeLessThan(TTL_MS);
    expect(podmanOk(['inspect', container(at.c), '--format', '{{.State.ExitCode}}']).trim()).toBe('0');
    expect(podman(['logs', container(at.c)]).out).toContain('"msg":"stopped"');
    a.close();
  }, 60_000);
});

/** Waits until the instance answers /healthz and then /readyz (Redis and PostgreSQL reached). */
async function ready(i: Instance): Promise<void> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    try {
      if ((await fetch(`http://127.0.0.1:${i.port}/readyz`)).ok) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      const logs = podman(['logs', `${i.name}-pod-0-server`]);
      throw new Error(`${i.name} did not get ready:\n${logs.out}\n${logs.err}`);
    }
    await Bun.sleep(100);
  }
}
