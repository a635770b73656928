/**
 * The dependency direction of server/src, checked from the import statements themselves: every
 * import goes to the same room or to a lower layer, never up. A room is a top-level file or folder
 * (each adapter its own room, so adapters never lean on each other); test files are left out.
 */
import { expect, test } from 'bun:test';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';

/** Lowest first. Each room may import only its own files and rooms of lower layers. */
const LAYERS: string[][] = [
  ['protocol'], // the wire contract (and its numbers): imports nothing of ours
  ['config'], // the environment, parsed once: only the protocol's defaults below it
  ['ports', 'log', 'identity'], // the interfaces everything talks through, and the basics
  ['session', 'matching', 'journal', 'safety'], // the pure machine and its bindings, who meets whom, the record's path
  ['adapters', 'observability'], // one adapter per technology; metrics, logs, inspection
  ['gateway', 'http', 'admin'], // the edges: WebSocket, HTTP routes, /admin
  ['boot'], // the parts the composition root assembles
  ['main'], // the composition root
];

const SRC = import.meta.dir;

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return sources(path);
    return e.name.endsWith('.ts') && !e.name.endsWith('.test.ts') ? [path] : [];
  });
}

/** "adapters/redis", "gateway", "protocol", … */
function roomOf(path: string): string {
  const parts = relative(SRC, path).replace(/\.ts$/, '').split('/');
  return parts[0] === 'adapters' ? `adapters/${parts[1]}` : (parts[0] ?? '');
}

function layerOf(room: string): number {
  const i = LAYERS.findIndex((rooms) => rooms.includes(room.split('/')[0] ?? ''));
  if (i < 0) throw new Error(`${room} is in no layer: add it to LAYERS`);
  return i;
}

test('no import in server/src runs from a lower layer to a higher one', () => {
  const wrong: string[] = [];
  let imports = 0;
  for (const file of sources(SRC)) {
    const from = roomOf(file);
    for (const m of readFileSync(file, 'utf8').matchAll(/from '(\.[^']+)'/g)) {
      const to = roomOf(join(dirname(file), m[1] as string));
      imports++;
      if (to !== from && layerOf(to) >= layerOf(from)) wrong.push(`${relative(SRC, file)} → ${m[1]}`);
    }
  }
  expect(imports).toBeGreaterThan(100);
  expect(wrong).toEqual([]);
});

test('the check itself catches an upward import', () => {
  expect(layerOf('gateway')).toBeGreaterThan(layerOf('session'));
  expect(layerOf('adapters/redis')).toBe(layerOf('observability'));
  expect(roomOf(join(SRC, 'adapters/redis/matcher.ts'))).toBe('adapters/redis');
  expect(() => layerOf('nowhere')).toThrow('in no layer');
});
