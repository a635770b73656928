/**
 * What the kernel says about processes: CPU time and resident memory from /proc, and the whole
 * machine's busy time, so a report can show where the two cores went (server, k6, Redis,
 * PostgreSQL, and everything else — other jobs on a shared machine).
 */
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';

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

/** The inodes of sockets listening on a TCP port (IPv4 and IPv6), from /proc/net. */
function listeningInodes(port: number): Set<string> {
  const out = new Set<string>();
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    for (const line of (read(table) ?? '').split('\n').slice(1)) {
      // sl local_address rem_address st … inode; the port is the local address's hex after ':'; 0A is LISTEN.
      const f = line.trim().split(/\s+/);
      const local = f[1]?.split(':')[1];
      if (f[3] === '0A' && local && Number.parseInt(local, 16) === port && f[9]) out.add(f[9]);
    }
  }
  return out;
}

/**
 * The pid of the process listening on a TCP port of this machine (the one holding that socket),
 * for a peer server someone else started; null when none is visible to us.
 */
export function pidListeningOn(port: number): number | null {
  const inodes = listeningInodes(port);
  if (inodes.size === 0) return null;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let fds: string[];
    try {
      fds = readdirSync(`/proc/${entry}/fd`);
    } catch {
      continue; // gone, or not ours to read
    }
    for (const fd of fds) {
      let link = '';
      try {
        link = readlinkSync(`/proc/${entry}/fd/${fd}`);
      } catch {
        // closed while we looked
      }
      const inode = /^socket:\[(\d+)\]$/.exec(link)?.[1];
      if (inode && inodes.has(inode)) return Number(entry);
    }
  }
  return null;
}
