/**
 * The two ceilings measured in every run, just before the scenario: the claim script alone against
 * the run's Redis, and k6 against a bare Bun WebSocket echo with as many sockets and VUs as the
 * scenario uses — with the CPU each side spent, to show which of the two was the limit.
 */
import { join } from 'node:path';
import { claimCeiling } from '../ceilings/claim.ts';
import { startK6 } from './k6.ts';
import { cpuMs } from './proc.ts';
import { bestWindow } from './stats.ts';

const ROOT = join(import.meta.dir, '../..');

export interface Ceilings {
  seconds: number;
  evalshaPerSecond: number;
  echoRoundTripsPerSecond: number;
  /** CPU during the echo, in cores (1 = one core busy): the bare echo server's and k6's. */
  echoServerCores: number;
  echoK6Cores: number;
}

async function echo(seconds: number, vus: number, sockets: number, outDir: string) {
  const server = Bun.spawn(['bun', join(ROOT, 'loadtest/ceilings/echo_server.ts')], { stdout: 'pipe' });
  const reader = (server.stdout as ReadableStream<Uint8Array>).getReader();
  const port = Number(new TextDecoder().decode((await reader.read()).value).trim());
  reader.releaseLock();
  try {
    const run = startK6({
      script: join(ROOT, 'loadtest/ceilings/echo.ts'),
      env: { TARGET: `ws://127.0.0.1:${port}/`, VUS: vus, SOCKETS: sockets, WARMUP: '1s', DURATION: `${seconds}s` },
      outDir,
      name: 'ceiling-echo',
      dashboard: false,
      verbose: false,
    });
    // CPU of both sides every 250 ms; the busiest stretch of the echo's length is its steady state.
    const cpu: { t: number; server: number; k6: number }[] = [];
    const poll = setInterval(() => {
      cpu.push({ t: Date.now(), server: cpuMs(server.pid) ?? 0, k6: cpuMs(run.pid) ?? 0 });
    }, 250);
    const result = await run.done;
    clearInterval(poll);
    if (result.code !== 0) throw new Error(`the echo ceiling's k6 run failed (exit ${result.code})`);
    const best = bestWindow(
      cpu.map((c) => [c.t, c.server]),
      seconds * 1000 - 500,
    );
    const span = (cpu[best.to]?.t ?? 1) - (cpu[best.from]?.t ?? 0);
    return {
      roundTripsPerSecond: (result.metrics.echo_round_trips?.count ?? 0) / seconds,
      serverCores: best.rate / 1000,
      k6Cores: ((cpu[best.to]?.k6 ?? 0) - (cpu[best.from]?.k6 ?? 0)) / span,
    };
  } finally {
    server.kill('SIGTERM');
    await server.exited;
  }
}

/** Measures both ceilings, one after the other (never beside the scenario: they would compete). */
export async function measureCeilings(o: {
  redisUrl: string;
  seconds: number;
  vus: number;
  sockets: number;
  outDir: string;
}): Promise<Ceilings> {
  const claim = await claimCeiling(o.redisUrl, o.seconds);
  const e = await echo(o.seconds, o.vus, o.sockets, o.outDir);
  return {
    seconds: o.seconds,
    evalshaPerSecond: claim.callsPerSecond,
    echoRoundTripsPerSecond: e.roundTripsPerSecond,
    echoServerCores: e.serverCores,
    echoK6Cores: e.k6Cores,
  };
}
