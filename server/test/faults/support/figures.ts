/**
 * What each fault case measured, in two places: one `[fault] …` line in the test output, and an
 * entry in `.data/faults/figures.json` (one object per case, the latest run's) that the docs are
 * written from. A case records its figure before it asserts, so a broken promise still leaves its
 * numbers behind.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** Where the figures are kept (under `.data/`, which git ignores). */
export const FIGURES_FILE = join(import.meta.dir, '../../../../.data/faults/figures.json');

export type Measured = Record<string, number | string | boolean | null>;

/** One case's entry in the figures file. */
export interface Figure {
  case: string;
  promise: string;
  measured: Measured;
  /** Did every part of the promise hold? `broken` says which did not. */
  held: boolean;
  broken: string[];
  at: string;
}

/**
 * The parts of one promise, checked one by one so a failing case reports every part that broke,
 * not only the first.
 */
export class Verdict {
  readonly broken: string[] = [];

  /** Notes `what` as broken (with what was seen instead) unless `ok`. */
  check(what: string, ok: boolean, seen?: string): void {
    if (!ok) this.broken.push(seen === undefined ? what : `${what} (saw ${seen})`);
  }

  get held(): boolean {
    return this.broken.length === 0;
  }
}

function load(): Figure[] {
  try {
    const parsed: unknown = JSON.parse(readFileSync(FIGURES_FILE, 'utf8'));
    return Array.isArray(parsed) ? (parsed as Figure[]) : [];
  } catch {
    return []; // first run, or a file from an interrupted one: start over
  }
}

/** Prints `[fault] <case>: <line>` and keeps the figure, replacing that case's previous entry. */
export function recordFigure(name: string, promise: string, line: string, measured: Measured, v: Verdict): Figure {
  const figure: Figure = {
    case: name,
    promise,
    measured,
    held: v.held,
    broken: v.broken,
    at: new Date().toISOString(),
  };
  console.log(`[fault] ${name}: ${line}${v.held ? '' : ` — BROKEN: ${v.broken.join('; ')}`}`);
  mkdirSync(dirname(FIGURES_FILE), { recursive: true });
  const rest = load().filter((f) => f.case !== name);
  writeFileSync(FIGURES_FILE, `${JSON.stringify([...rest, figure], null, 2)}\n`);
  return figure;
}

/** Seconds with one decimal, for the printed line. */
export const secs = (ms: number | null): string => (ms === null ? 'never' : `${(ms / 1000).toFixed(1)} s`);
