/**
 * The Kustomize tree and the LiveKit Helm values, built with the real kustomize and read as the
 * cluster would: the drain's probes and timings, the Secret, the disruption budget, the autoscaler,
 * the Service and Ingress wiring, and that every variable handed to the server is one it reads.
 */
import { describe, expect, test } from 'bun:test';
import { kustomize, type Obj, one, podOf } from './support/kube.ts';
import { envFile, serverVariables, text, yamlDocs } from './support/tools.ts';

const objs = kustomize();
const deployment = one(objs, 'Deployment', 'serendip');
const { spec: pod, container } = podOf(deployment);
const env = new Map(container.env.map((e) => [e.name, e]));
const configMap = one(objs, 'ConfigMap');
const matchLabels = (deployment.spec as { selector: { matchLabels: Record<string, string> } }).selector.matchLabels;

describe('the matching-server Deployment', () => {
  test('runs at least two replicas, probes /readyz and /healthz on the named port', () => {
    expect((deployment.spec as { replicas: number }).replicas).toBeGreaterThanOrEqual(2);
    expect(container.readinessProbe.httpGet).toEqual({ path: '/readyz', port: 'http' });
    expect(container.livenessProbe.httpGet).toEqual({ path: '/healthz', port: 'http' });
    expect(container.ports).toContainEqual({ name: 'http', containerPort: 3000 });
    expect(env.get('PORT')?.value).toBe('3000');
  });

  test('drains inside its grace period: preStop sleep, then SIGTERM with time to spare', () => {
    const [cmd, seconds] = container.lifecycle.preStop.exec.command;
    expect(cmd).toBe('sleep');
    // The drain waits at most 5 s for store calls; 15 s more is ample for the journal and the rest.
    expect(pod.terminationGracePeriodSeconds as number).toBeGreaterThanOrEqual(Number(seconds) + 5 + 15);
    const strategy = (deployment.spec as { strategy: { rollingUpdate: Record<string, number> } }).strategy;
    expect(strategy.rollingUpdate.maxUnavailable).toBe(0);
  });

  test('takes RESUME_SECRET, the LiveKit keys, Redis and PostgreSQL from the Secret', () => {
    for (const name of ['RESUME_SECRET', 'LIVEKIT_API_KEY', 'LIVEKIT_API_SECRET', 'REDIS_URL', 'DATABASE_URL']) {
      expect(env.get(name)?.valueFrom?.secretKeyRef).toMatchObject({ name: 'serendip', key: name });
    }
    expect(env.get('INSTANCE_ID')?.valueFrom?.fieldRef?.fieldPath).toBe('metadata.name');
    const example = envFile('deploy/kubernetes/secret.example.env');
    const fromSecret = container.env.filter((e) => e.valueFrom?.secretKeyRef).map((e) => e.name);
    expect(Object.keys(example).sort()).toEqual(fromSecret.sort());
  });

  test('hands the server only variables it reads', () => {
    const known = serverVariables();
    const configKeys = Object.keys(configMap.data as Record<string, string>);
    expect([...env.keys(), ...configKeys].filter((name) => !known.has(name))).toEqual([]);
    expect(container.envFrom).toEqual([{ configMapRef: { name: configMap.metadata.name } }]);
  });

  test('runs unprivileged with requests set, as the image user', () => {
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 10001 });
    expect(container.securityContext).toMatchObject({ readOnlyRootFilesystem: true, allowPrivilegeEscalation: false });
    expect(container.resources.requests.cpu).toBeDefined();
    expect(container.resources.requests.memory).toBeDefined();
    expect(text('Containerfile')).toMatch(/--uid 10001/);
  });
});

describe('around it', () => {
  const selects = (o: Obj, path: (spec: Record<string, unknown>) => unknown) =>
    expect(path(o.spec as Record<string, unknown>)).toEqual(matchLabels);

  test('the PodDisruptionBudget and the HPA hold the same pods', () => {
    const pdb = one(objs, 'PodDisruptionBudget');
    selects(pdb, (s) => (s.selector as { matchLabels: unknown }).matchLabels);
    expect((pdb.spec as { maxUnavailable: number }).maxUnavailable).toBe(1);
    const hpa = one(objs, 'HorizontalPodAutoscaler').spec as Record<string, unknown>;
    expect(hpa.scaleTargetRef).toMatchObject({ kind: 'Deployment', name: 'serendip' });
    expect(hpa.minReplicas as number).toBeGreaterThanOrEqual(2);
    expect(hpa.metrics).toContainEqual(expect.objectContaining({ resource: expect.objectContaining({ name: 'cpu' }) }));
  });

  test('the Service reaches the pods and the Ingress the Service, with WebSocket timeouts', () => {
    const service = one(objs, 'Service', 'serendip');
    selects(service, (s) => s.selector);
    const ports = (service.spec as { ports: { name: string; targetPort: string }[] }).ports;
    expect(ports).toContainEqual(expect.objectContaining({ name: 'http', targetPort: 'http' }));
    const ingress = one(objs, 'Ingress');
    const notes = ingress.metadata.annotations as Record<string, string>;
    expect(Number(notes['nginx.ingress.kubernetes.io/proxy-read-timeout'])).toBeGreaterThanOrEqual(3600);
    expect(Number(notes['nginx.ingress.kubernetes.io/proxy-send-timeout'])).toBeGreaterThanOrEqual(3600);
    const backend = JSON.stringify(ingress.spec);
    expect(backend).toContain('"name":"serendip"');
    expect(backend).toContain('"port":{"name":"http"}');
  });

  test('everything lands in one namespace', () => {
    const namespaced = objs.filter((o) => o.kind !== 'Namespace');
    expect(new Set(namespaced.map((o) => o.metadata.namespace))).toEqual(new Set(['serendip']));
  });
});

describe('LiveKit through its Helm chart', () => {
  const [values] = yamlDocs(text('deploy/kubernetes/livekit-values.yaml')) as [Record<string, unknown>];
  const livekit = values.livekit as Record<string, Record<string, unknown>>;
  const setupVersion = text('scripts/setup.mjs').match(/LIVEKIT_VERSION = '([\d.]+)'/)?.[1];

  test('runs the version the tests use, multi-node on Redis, keys from a Secret', () => {
    expect((values.image as { tag: string }).tag).toBe(`v${setupVersion}`);
    expect(values.replicaCount as number).toBeGreaterThanOrEqual(2);
    expect(livekit.redis?.address).toBeString();
    expect(values.storeKeysInSecret).toMatchObject({ enabled: true, existingSecret: 'livekit-keys' });
    expect(livekit.keys).toBeUndefined();
  });

  test('signs webhooks with the server key and posts them to the Service', () => {
    const secret = envFile('deploy/kubernetes/secret.example.env');
    expect(livekit.webhook?.api_key).toBe(secret.LIVEKIT_API_KEY);
    expect(livekit.webhook?.urls).toEqual(['http://serendip.serendip.svc.cluster.local/livekit/webhook']);
    const data = configMap.data as Record<string, string>;
    // The release `livekit-server` in namespace `livekit`, as the values file's install line says.
    expect(data.LIVEKIT_URL).toBe('http://livekit-server.livekit.svc.cluster.local');
    expect(text('deploy/kubernetes/livekit-values.yaml')).toContain(
      'helm install livekit-server livekit/livekit-server -n livekit',
    );
  });
});
