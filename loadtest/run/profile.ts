/**
 * Reads the CPU profile Bun writes with `--cpu-prof-md` and keeps what a reader needs: the hottest
 * functions by self time, and self time by file, rolled up into the libraries and modules it
 * belongs to (xstate, ioredis, prom-client, our gateway…).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface ProfileSummary {
  file: string;
  durationMs: number;
  top: { selfPct: number; name: string; location: string }[];
  byArea: { area: string; selfPct: number }[];
}

function table(md: string, heading: string): string[][] {
  const start = md.indexOf(heading);
  if (start < 0) return [];
  const rows: string[][] = [];
  for (const line of md.slice(start).split('\n').slice(1)) {
    if (line.startsWith('## ')) break;
    if (!line.startsWith('|') || line.includes('---') || /\| *Self%/.test(line)) continue;
    rows.push(
      line
        .split('|')
        .slice(1, -1)
        .map((c) => c.trim().replaceAll('`', '')),
    );
  }
  return rows;
}

/** Which library or part of the server a source file belongs to. */
export function areaOf(file: string): string {
  const lib = file.match(/node_modules\/((?:@[^/]+\/)?[^/]+)/)?.[1];
  if (lib) return lib;
  const own = file.match(/server\/src\/(.+?)(?:\/[^/]+)?\.ts$/)?.[1] ?? file.match(/server\/src\/([^/]+)\//)?.[1];
  if (own) return `server/${own.split('/')[0]}`;
  if (file === '' || file.startsWith('(')) return '(native / runtime)';
  return file.replace(/^.*\//, '');
}

export function summariseProfile(path: string, top = 12): ProfileSummary {
  const md = readFileSync(path, 'utf8');
  const durationMs = Number(md.match(/\| ([\d.]+)(ms|s) \| \d+ \|/)?.[1] ?? 0);
  const hot = table(md, '## Hot Functions (Self Time)').slice(0, top);
  const files = table(md, '## Files');
  const areas = new Map<string, number>();
  for (const [pct, , file] of files) {
    const area = areaOf(file ?? '');
    areas.set(area, (areas.get(area) ?? 0) + Number.parseFloat(pct ?? '0'));
  }
  return {
    file: path,
    durationMs,
    top: hot.map((r) => ({ selfPct: Number.parseFloat(r[0] ?? '0'), name: r[4] ?? '', location: r[5] ?? '' })),
    byArea: [...areas.entries()]
      .map(([area, selfPct]) => ({ area, selfPct }))
      .sort((a, b) => b.selfPct - a.selfPct)
      .slice(0, top),
  };
}

/** Every profile in a directory (one per server instance). */
export function profilesIn(dir: string): ProfileSummary[] {
  return readdirSync(dir)
    .filter((f) => f.startsWith('CPU.') && f.endsWith('.md'))
    .map((f) => summariseProfile(join(dir, f)));
}
