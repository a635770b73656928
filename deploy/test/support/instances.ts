/**
 * The Deployment from `kustomize build deploy/kubernetes`, turned into what `podman kube play`
 * runs on one host: one single-replica Deployment per instance, each on the host network with a
 * port of its own. Everything else (env, envFrom, security context, resources) stays as built.
 */
import { type Container, kustomize, type Obj, one, podOf } from './kube.ts';

export interface Instance {
  /** Deployment name; podman names the pod `<name>-pod-0` and its container `<name>-pod-0-server`. */
  name: string;
  port: number;
}

/** Each instance's Deployment and the ConfigMap they share, as one multi-document YAML. */
export function kubePlayYaml(opts: {
  image: string;
  instances: Instance[];
  /** The Secret's keys, handed in as plain values (see below). */
  secrets: Record<string, string>;
  /** Overrides of the ConfigMap's settings; a null drops one. */
  config: Record<string, string | null>;
}): string {
  const objs = kustomize();
  const configMap = structuredClone(one(objs, 'ConfigMap'));
  const data = configMap.data as Record<string, string>;
  for (const [k, v] of Object.entries(opts.config)) {
    if (v === null) delete data[k];
    else data[k] = v;
  }
  const docs: Obj[] = [configMap, ...opts.instances.map((i) => instance(one(objs, 'Deployment', 'serendip'), i, opts))];
  return docs.map((d) => Bun.YAML.stringify(d, null, 2)).join('\n---\n');
}

function instance(built: Obj, at: Instance, opts: { image: string; secrets: Record<string, string> }): Obj {
  const d = structuredClone(built);
  d.metadata.name = at.name;
  (d.spec as { replicas: number }).replicas = 1;
  const { spec, container } = podOf(d);
  // One host: host networking (the machine's Redis and PostgreSQL are on 127.0.0.1), and a killed
  // instance must stay dead so that the survivors' sweep is what its users' partners see.
  spec.hostNetwork = true;
  spec.restartPolicy = 'Never';
  adapt(container, at, opts);
  return d;
}

function adapt(c: Container, at: Instance, opts: { image: string; secrets: Record<string, string> }): void {
  c.image = opts.image;
  c.imagePullPolicy = 'Never';
  // On the host network the port is simply PORT; podman refuses port mappings there.
  delete (c as Partial<Container>).ports;
  // podman 4.3's kube play keeps a Secret as YAML and then reads it as JSON ("secret … is not
  // valid JSON"), so the Secret's keys become plain values here; the names stay the manifest's.
  c.env = c.env.map((e) => {
    if (e.name === 'PORT') return { name: 'PORT', value: String(at.port) };
    const ref = e.valueFrom?.secretKeyRef;
    if (!ref) return e;
    const value = opts.secrets[ref.key];
    if (value === undefined) throw new Error(`no test value for the Secret's ${ref.key}`);
    return { name: e.name, value };
  });
  // podman turns httpGet probes into `curl` inside the image (which has none) and named ports into
  // port 0; the test asks /healthz and /readyz itself. It has no preStop hooks either.
  delete c.startupProbe;
  delete (c as Partial<Container>).livenessProbe;
  delete (c as Partial<Container>).readinessProbe;
  delete (c as Partial<Container>).lifecycle;
}
