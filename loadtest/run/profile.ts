/**
 * Reads the CPU profile Bun writes with `--cpu-prof-md` and keeps what a reader needs: the hottest
 * functions and the libraries or server modules they belong to. Ranked by **samples** (1 ms each,
 * taken while the JavaScript thread runs), not by the file's Self% columns: those weigh each
 * sample by the time since the previous one, so an idle gap (the thread waiting for I/O) lands on
 * whatever ran next — a shutdown handler got 4 % from one sample.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The gist of one CPU profile. */
export interface ProfileSummary {
  file: string;
  samples: number;
  top: { pct: number; samples: number; name: string; location: string }[];
  byArea: { area: string; pct: number }[];
}

const DETAIL = /^### `(.+?)`\n`(.*?)` \| Self: .*? \| Samples: (\d+)/gm;

/**
 * Which library or part of the server a function belongs to. `heapStats` is native but only
 * prom-client's heap-space collector calls it (on every /metrics scrape), so it is charged there.
 */
export function areaOf(location: string, name = ''): string {
  if (name === 'heapStats') return 'prom-client (heap statistics, per scrape)';
  const lib = location.match(/node_modules\/((?:@[^/]+\/)?[^/]+)/)?.[1];
  if (lib) return lib;
  const own =
    location.match(/server\/src\/([^/:]+?)(?:\.ts)?[/:]/)?.[1] ?? location.match(/server\/src\/([^/:]+)\.ts/)?.[1];
  if (own) return `server/${own}`;
  if (location.startsWith('[native')) return 'native (sockets, JSON, builtins)';
  return location.replace(/:\d+$/, '').replace(/^.*\//, '') || '?';
}

/** Reads one profile: the hottest functions and areas by share of samples. */
export function summariseProfile(path: string, top = 15): ProfileSummary {
  const md = readFileSync(path, 'utf8');
  const fns = [...md.matchAll(DETAIL)].map((m) => ({ name: m[1] ?? '', location: m[2] ?? '', samples: Number(m[3]) }));
  const total = fns.reduce((sum, f) => sum + f.samples, 0) || 1;
  const areas = new Map<string, number>();
  for (const f of fns) {
    const area = areaOf(f.location, f.name);
    areas.set(area, (areas.get(area) ?? 0) + f.samples);
  }
  return {
    file: path,
    samples: total,
    top: fns
      .sort((a, b) => b.samples - a.samples)
      .slice(0, top)
      .map((f) => ({ ...f, pct: (f.samples * 100) / total })),
    byArea: [...areas.entries()]
      .map(([area, n]) => ({ area, pct: (n * 100) / total }))
      .sort((a, b) => b.pct - a.pct)
      .slice(0, top),
  };
}

/** Every profile in a directory (one per server instance). */
export function profilesIn(dir: string): ProfileSummary[] {
  return readdirSync(dir)
    .filter((f) => f.startsWith('CPU.') && f.endsWith('.md'))
    .map((f) => summariseProfile(join(dir, f)));
}
