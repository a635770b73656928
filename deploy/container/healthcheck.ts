/**
 * The image's HEALTHCHECK (podman and Docker; Kubernetes uses its own httpGet probes instead):
 * exits 0 when this container's server answers `GET /healthz` within 2 s. That is liveness only,
 * whether the process serves at all; `/readyz` also asks Redis, PostgreSQL and LiveKit, and a
 * container whose dependency is down must be taken out of the load balancer, not restarted.
 */
export {}; // a module, for the top-level await

const port = process.env.PORT || '3000';
try {
  const res = await fetch(`http://127.0.0.1:${port}/healthz`, { signal: AbortSignal.timeout(2000) });
  process.exit(res.ok ? 0 : 1);
} catch {
  process.exit(1);
}
