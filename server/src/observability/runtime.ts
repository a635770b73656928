/**
 * prom-client's default process metrics, kept only where they mean something under Bun. Checked
 * on Bun 1.4: CPU, resident memory, open/max fds, start time, heap size/used (process.memoryUsage)
 * and the monitorEventLoopDelay gauges are real. These are not, so they are removed rather than
 * shown as flat lines that look like facts:
 */
import type { Registry } from 'prom-client';

export const MISLEADING_UNDER_BUN = [
  // process._getActiveHandles / getActiveResourcesInfo are stubs that always report nothing.
  'nodejs_active_handles',
  'nodejs_active_handles_total',
  'nodejs_active_requests',
  'nodejs_active_requests_total',
  'nodejs_active_resources',
  'nodejs_active_resources_total',
  // V8 heap spaces: JavaScriptCore has none of them; every space but "old" is zero.
  'nodejs_heap_space_size_total_bytes',
  'nodejs_heap_space_size_used_bytes',
  'nodejs_heap_space_size_available_bytes',
  // VmData: includes the gigabytes JavaScriptCore reserves up front, so it reads ~6 GB at rest.
  'process_heap_bytes',
];

/** Removes the default metrics that mislead on this runtime (only under Bun). */
export function pruneDefaultMetrics(registry: Registry, isBun = typeof process.versions.bun === 'string'): void {
  if (!isBun) return;
  for (const name of MISLEADING_UNDER_BUN) registry.removeSingleMetric(name);
}
