/** What a fault case reads from a running server from the outside: /readyz, /metrics, its RSS. */
import { readFileSync } from 'node:fs';

/** /readyz's status and the parts it names as failing (none when it did not answer at all). */
export async function readiness(url: string): Promise<{ status: number; failing: string[] }> {
  try {
    const res = await fetch(`${url}/readyz`, { signal: AbortSignal.timeout(4000) });
    const body = (await res.json()) as { failing?: string[] };
    return { status: res.status, failing: body.failing ?? [] };
  } catch {
    return { status: 0, failing: [] };
  }
}

/** The sum of one metric's samples on /metrics (all label sets), or null if it is absent or unreachable. */
export async function metric(url: string, name: string): Promise<number | null> {
  let text: string;
  try {
    text = await (await fetch(`${url}/metrics`, { signal: AbortSignal.timeout(4000) })).text();
  } catch {
    return null;
  }
  let sum: number | null = null;
  for (const line of text.split('\n')) {
    const m = line.match(/^(\w+)(?:\{[^}]*\})? (\S+)$/);
    if (m?.[1] === name) sum = (sum ?? 0) + Number(m[2]);
  }
  return sum;
}

/** Resident memory of process `pid` in bytes (Linux: VmRSS in /proc/<pid>/status). */
export function rssBytes(pid: number): number {
  const kb = readFileSync(`/proc/${pid}/status`, 'utf8').match(/^VmRSS:\s+(\d+) kB/m)?.[1];
  if (kb === undefined) throw new Error(`no VmRSS for pid ${pid}`);
  return Number(kb) * 1024;
}

/** Polls `probe` every `everyMs` until `stop()`; each answer is kept with its time. */
export function sample<T>(
  probe: () => Promise<T> | T,
  everyMs: number,
): { samples: { at: number; value: T }[]; stop(): Promise<void> } {
  const samples: { at: number; value: T }[] = [];
  let on = true;
  const loop = (async () => {
    while (on) {
      const at = Date.now();
      samples.push({ at, value: await probe() });
      await Bun.sleep(Math.max(0, everyMs - (Date.now() - at)));
    }
  })();
  return {
    samples,
    stop: async () => {
      on = false;
      await loop;
    },
  };
}

/** Waits until `cond()` holds (polling every 20 ms) or `ms` pass; the time it held, or null. */
export async function until(cond: () => boolean | Promise<boolean>, ms: number): Promise<number | null> {
  const deadline = Date.now() + ms;
  for (;;) {
    if (await cond()) return Date.now();
    if (Date.now() > deadline) return null;
    await Bun.sleep(20);
  }
}
