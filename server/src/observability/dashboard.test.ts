/**
 * The Grafana dashboard in deploy/ only queries metrics this server really exports, so renaming a
 * metric without the dashboard (or the other way round) fails here rather than as an empty panel.
 */
import { expect, test } from 'bun:test';
import { join } from 'node:path';
import { quietMetrics } from '../../test/support/fakes.ts';

const DASHBOARD = join(import.meta.dir, '../../../deploy/grafana/serendip-dashboard.json');

/** Metric names in a PromQL expression: identifiers that are neither functions, keywords nor labels. */
function metricNames(expr: string): string[] {
  const bare = expr
    .replace(/"[^"]*"/g, '')
    .replace(/\{[^}]*\}/g, '')
    .replace(/\b(by|without)\s*\([^)]*\)/g, '')
    .replace(/\[[^\]]*\]/g, '');
  return [...bare.matchAll(/\b([a-z_][a-z0-9_]*)\b(?!\s*\()/g)].map((m) => m[1] as string);
}

test('every dashboard query uses metrics the server exports', async () => {
  const dashboard = await Bun.file(DASHBOARD).json();
  const m = quietMetrics('x');
  const exposition = await m.text();
  m.stop();
  const exported = new Set<string>();
  for (const [, name, type] of exposition.matchAll(/^# TYPE (\S+) (\S+)$/gm)) {
    exported.add(name as string);
    if (type === 'histogram') for (const s of ['_bucket', '_sum', '_count']) exported.add(`${name}${s}`);
  }
  const panels = (dashboard.panels as { type: string; title: string; targets?: { expr: string }[] }[]).filter(
    (p) => p.type !== 'row',
  );
  expect(panels.length).toBeGreaterThan(10);
  const used = new Set<string>();
  for (const p of panels) {
    expect(p.targets?.length ?? 0).toBeGreaterThan(0);
    for (const t of p.targets ?? []) for (const name of metricNames(t.expr)) used.add(name);
  }
  const missing = [...used].filter((n) => !exported.has(n));
  expect(missing).toEqual([]);
  for (const required of ['matcher_pairs_total', 'matcher_actors', 'ws_connections', 'eventloop_lag_seconds_bucket']) {
    expect(used.has(required)).toBe(true);
  }
});
