/**
 * What the kernel says about processes: CPU time and resident memory from /proc, and the whole
 * machine's busy time, so a report can show where the two cores went (server, k6, Redis,
 * PostgreSQL, and everything else — other jobs on a shared machine).
 */
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

/** Milliseconds per clock tick (USER_HZ, almost always 100). */
const TICK_MS = (() => {
  const hz = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout?.trim());
  return hz > 0 ? 1000 / hz : 10;
})();

function read(path: string): string | null {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return null;
  }
}

/** User + system CPU of a process (all its threads), in ms; null once it is gone. */
export function cpuMs(pid: number): number | null {
  const stat = read(`/proc/${pid}/stat`);
  if (!stat) return null;
  // The command name may contain spaces; the fields after it are fixed.
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(f[11]) + Number(f[12])) * TICK_MS;
}

/** Resident set size (VmRSS), in KiB; null once the process is gone. */
export function rssKb(pid: number): number | null {
  const m = read(`/proc/${pid}/status`)?.match(/VmRSS:\s+(\d+)/);
  return m ? Number(m[1]) : null;
}

/** Busy and total CPU time of the machine (all cores), in ms. */
export function machineCpu(): { busyMs: number; totalMs: number } {
  const line = read('/proc/stat')?.split('\n')[0] ?? '';
  const v = line.trim().split(/\s+/).slice(1).map(Number);
  const total = v.reduce((a, b) => a + b, 0);
  const idle = (v[3] ?? 0) + (v[4] ?? 0); // idle + iowait
  return { busyMs: (total - idle) * TICK_MS, totalMs: total * TICK_MS };
}

/**
 * Pids whose command name is `comm` and whose command line contains `needle` — e.g. the PostgreSQL
 * backends serving one database (a backend's process title names its database).
 */
export function pidsNamed(comm: string, needle = ''): number[] {
  const out: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    if (read(`/proc/${entry}/comm`)?.trim() !== comm) continue;
    if (needle && !read(`/proc/${entry}/cmdline`)?.includes(needle)) continue;
    out.push(Number(entry));
  }
  return out;
}

/** Summed CPU of several processes, in ms (those that are gone count 0). */
export function cpuMsOf(pids: number[]): number {
  return pids.reduce((sum, pid) => sum + (cpuMs(pid) ?? 0), 0);
}
