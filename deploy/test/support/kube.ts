/**
 * The Kustomize tree as Kubernetes would receive it (`kustomize build deploy/kubernetes`), and the
 * few shapes of it the tests read.
 */
import { goTool, must, ROOT, yamlDocs } from './tools.ts';

/** A Kubernetes object, loosely typed: the tests check shapes, the API server checks the rest. */
export type Obj = Record<string, unknown> & { kind: string; metadata: { name: string } & Record<string, unknown> };

export interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: {
    secretKeyRef?: { name: string; key: string; optional?: boolean };
    fieldRef?: { fieldPath: string };
  };
}

export interface Probe {
  httpGet: { path: string; port: string | number };
}

export interface Container {
  name: string;
  image: string;
  ports: { name: string; containerPort: number }[];
  env: EnvVar[];
  envFrom: { configMapRef: { name: string } }[];
  readinessProbe: Probe;
  livenessProbe: Probe;
  startupProbe?: Probe;
  lifecycle: { preStop: { exec: { command: string[] } } };
  resources: { requests: Record<string, string>; limits?: Record<string, string> };
  [k: string]: unknown;
}

/** What `kustomize build` prints for the tree. */
export function kustomize(dir = 'deploy/kubernetes'): Obj[] {
  return yamlDocs(must([goTool('kustomize'), 'build', dir], { cwd: ROOT })) as Obj[];
}

/** The one object of `kind` (and `name`, when given); throws when there is none. */
export function one(objs: Obj[], kind: string, name?: string): Obj {
  const found = objs.find((o) => o.kind === kind && (name === undefined || o.metadata.name === name));
  if (!found) throw new Error(`no ${kind}${name ? ` named ${name}` : ''} in the build`);
  return found;
}

/** The Deployment's pod spec and its only container. */
export function podOf(deployment: Obj): { spec: Record<string, unknown>; container: Container } {
  const spec = (deployment.spec as { template: { spec: Record<string, unknown> } }).template.spec;
  const [container] = spec.containers as Container[];
  if (!container) throw new Error(`${deployment.metadata.name} has no container`);
  return { spec, container };
}
