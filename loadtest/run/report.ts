/**
 * The end of a run: a short summary on the console, and `run.json` beside the driver's own files
 * in the run's results directory (plan, ceilings, figures, checks, profile, every sample).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Ceilings } from './ceilings.ts';
import type { Rows, Settled } from './checks.ts';
import type { Figure } from './figures.ts';
import { DRIVER_LABEL, type Plan } from './plan.ts';
import type { ProfileSummary } from './profile.ts';
import type { Sample } from './sampler.ts';
import { type SideRow, sideTable } from './sidebyside.ts';

/** What run.json keeps of the peer leg of `bun run load peer`. */
export interface PeerReport {
  url: string;
  pid: number | null;
  pidFrom: string;
  driver: { code: number; cpuMs: number; seconds: number; loggedErrors: Record<string, number> };
  samples: Sample[];
}

/** What run.json holds. */
export interface RunReport {
  scenario: string;
  startedAt: string;
  machine: string;
  /** The commit measured, marked when server/src had changes not yet committed. */
  commit: string;
  plan: Plan;
  /** The load generator's run (k6, or the Bun driver: `plan.driver`). */
  driver: { code: number; crossed: string[]; cpuMs: number; seconds: number; loggedErrors: Record<string, number> };
  ceilings: Ceilings | null;
  figures: Record<string, number | null>;
  checks: { settled: Settled; rows: Rows } | null;
  verdict: { ok: boolean; problems: string[] };
  profiles: ProfileSummary[];
  samples: Sample[];
  /** `peer`: the peer's leg (our leg is the rest of the report), and one row per server. */
  peer?: PeerReport;
  sideBySide?: SideRow[];
}

const fmt = (v: number | null, unit: string): string => {
  if (v === null) return '—';
  const digits = Math.abs(v) >= 100 || Number.isInteger(v) ? 0 : Math.abs(v) >= 10 ? 1 : 2;
  return `${v.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits })}${unit ? ` ${unit}` : ''}`;
};

/** Prints the short summary: one line per figure, then the checks, the driver, the profile and the verdict. */
export function printSummary(r: RunReport, figures: Figure[], dir: string): void {
  const line = (label: string, value: string) => console.log(`  ${label.padEnd(48, '.')} ${value}`);
  console.log(`\n── ${r.scenario} · ${r.machine} · ${r.commit}`);
  for (const n of r.plan.notes) console.log(`  note: ${n}`);
  for (const f of figures) line(f.label, fmt(f.value, f.unit));
  if (r.checks) {
    const s = r.checks.settled;
    line(
      'back to zero after the load',
      s.ok
        ? `yes, in ${s.seconds.toFixed(1)} s`
        : `NO after ${s.seconds.toFixed(0)} s: sockets ${s.sockets}, actors ${s.actors}, waiting ${s.waiting}, pending rows ${s.pendingRows}, Redis queued ${s.redis.queued} users ${s.redis.users} open sessions ${s.redis.openSessions} journal ${s.redis.journal}`,
    );
    const w = r.checks.rows;
    line(
      'PostgreSQL rows = pairs formed',
      `${w.ok ? 'yes' : 'NO'}: ${w.rows} rows (${w.open} without end), ${w.pairs} pairs`,
    );
  }
  // After a threshold abort k6 still logs the closes of the sockets it killed, but counts nothing;
  // the log is only evidence when the counter agrees.
  const d = r.driver;
  const kinds = Object.entries(d.loggedErrors);
  if (kinds.length > 0 && (r.figures.protocol_errors ?? 0) > 0)
    line('protocol errors logged (first 10 per VU)', kinds.map(([k, n]) => `${k} ×${n}`).join(', '));
  const verdict = d.crossed.length ? `thresholds crossed: ${d.crossed.join('; ')}` : 'all thresholds held';
  line(DRIVER_LABEL[r.plan.driver], `exit ${d.code}${r.plan.driver === 'k6' ? `, ${verdict}` : ''}`);
  for (const p of r.profiles) {
    console.log(`  server CPU profile ${p.file}`);
    console.log(
      `    by area (share of ${p.samples} samples): ${p.byArea.map((a) => `${a.area} ${a.pct.toFixed(1)}%`).join(', ')}`,
    );
    const at = (l: string) => l.replace(/^.*node_modules\//, '').replace(/^.*server\/src\//, '');
    console.log(`    hottest: ${p.top.map((t) => `${t.name} (${at(t.location)}) ${t.pct.toFixed(1)}%`).join(', ')}`);
  }
  if (r.sideBySide) {
    console.log('\n  side by side (the same churn, the same Bun clients, one after the other):');
    for (const l of sideTable(r.sideBySide)) console.log(`  ${l}`);
    if (r.ceilings)
      console.log(
        `  ceilings (this run): claim script ${fmt(r.ceilings.evalshaPerSecond, 'EVALSHA/s')}, Bun clients ↔ bare Bun echo ${fmt(r.ceilings.echoRoundTripsPerSecond, 'round trips/s')}`,
      );
  }
  console.log(`  results: ${dir}`);
  console.log(r.verdict.ok ? '  verdict: ok' : `  verdict: FAILED — ${r.verdict.problems.join('; ')}`);
}

/** Writes run.json into the run's directory. */
export function writeReport(r: RunReport, dir: string): void {
  writeFileSync(join(dir, 'run.json'), `${JSON.stringify(r, null, 1)}\n`);
}

/** Figures by key, as run.json keeps them. */
export function figureMap(figures: Figure[]): Record<string, number | null> {
  return Object.fromEntries(figures.map((f) => [f.key, f.value]));
}
