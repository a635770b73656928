/**
 * The two ceilings measured in every run, just before the scenario: the claim script alone against
 * the run's Redis, and the scenario's own driver (k6 with as many sockets and VUs as the scenario
 * uses, or Bun clients with as many sockets) against a bare Bun WebSocket echo — with the CPU each
 * side spent, to show which of the two was the limit.
 */
import { join } from 'node:path';
import { claimCeiling } from '../ceilings/claim.ts';
import { type DriverRun, startBunDriver } from './driver.ts';
import { startK6 } from './k6.ts';
import type { DriverName } from './plan.ts';
import { cpuMs, rssKb } from './proc.ts';
import { bestWindow } from './stats.ts';

const ROOT = join(import.meta.dir, '../..');

/** What the ceilings measured. */
export interface Ceilings {
  seconds: number;
  evalshaPerSecond: number;
  echoRoundTripsPerSecond: number;
  /** Which driver ran the echo: the scenario's own. */
  echoDriver: DriverName;
  /** CPU during the echo, in cores (1 = one core busy): the bare echo server's and the driver's. */
  echoServerCores: number;
  echoDriverCores: number;
  /** RSS per idle socket of the bare echo server (idle_capacity only), in KB. */
  bareSocketKb: number | null;
}

async function echoServer() {
  const server = Bun.spawn(['bun', join(ROOT, 'loadtest/ceilings/echo_server.ts')], { stdout: 'pipe' });
  const reader = (server.stdout as ReadableStream<Uint8Array>).getReader();
  const port = Number(new TextDecoder().decode((await reader.read()).value).trim());
  reader.releaseLock();
  return {
    pid: server.pid,
    url: `ws://127.0.0.1:${port}/`,
    stop: async () => {
      server.kill('SIGTERM');
      await server.exited;
    },
  };
}

/** RSS per socket of the bare echo with `sockets` idle sockets, in KB. */
async function socketMemory(sockets: number, vus: number, outDir: string): Promise<number> {
  const server = await echoServer();
  try {
    await Bun.sleep(500);
    const before = rssKb(server.pid) ?? 0;
    const openRate = 2000;
    const holdMs = 4000;
    const run = startK6({
      script: join(ROOT, 'loadtest/ceilings/idle.ts'),
      env: { TARGET: server.url, VUS: vus, SOCKETS: sockets, OPEN_RATE: openRate, HOLD: `${holdMs / 1000}s` },
      outDir,
      name: 'ceiling-idle',
      dashboard: false,
      verbose: false,
    });
    const rss: { t: number; kb: number }[] = [];
    const poll = setInterval(() => rss.push({ t: Date.now(), kb: rssKb(server.pid) ?? 0 }), 250);
    const result = await run.done;
    clearInterval(poll);
    if (result.code !== 0) throw new Error(`the idle-socket ceiling's k6 run failed (exit ${result.code})`);
    // The hold: all sockets open (the highest RSS seen), before they close.
    const plateau = Math.max(...rss.map((r) => r.kb));
    return (plateau - before) / sockets;
  } finally {
    await server.stop();
  }
}

/** The echo's clients: k6's script with VUs, or Bun's (loadtest/ceilings/echo_bun.ts) in one process. */
function echoClients(driver: DriverName, target: string, o: EchoOptions): DriverRun {
  const env = { TARGET: target, SOCKETS: o.sockets, WARMUP: '1s', DURATION: `${o.seconds}s` };
  const common = { outDir: o.outDir, name: 'ceiling-echo', verbose: false };
  return driver === 'k6'
    ? startK6({
        ...common,
        script: join(ROOT, 'loadtest/ceilings/echo.ts'),
        env: { ...env, VUS: o.vus },
        dashboard: false,
      })
    : startBunDriver({ ...common, script: join(ROOT, 'loadtest/ceilings/echo_bun.ts'), env });
}

interface EchoOptions {
  seconds: number;
  vus: number;
  sockets: number;
  outDir: string;
}

async function echo(driver: DriverName, o: EchoOptions) {
  const { seconds } = o;
  const server = await echoServer();
  try {
    const run = echoClients(driver, server.url, o);
    // CPU of both sides every 250 ms; the busiest stretch of the echo's length is its steady state.
    const cpu: { t: number; server: number; driver: number }[] = [];
    const poll = setInterval(() => {
      cpu.push({ t: Date.now(), server: cpuMs(server.pid) ?? 0, driver: cpuMs(run.pid) ?? 0 });
    }, 250);
    const result = await run.done;
    clearInterval(poll);
    if (result.code !== 0) throw new Error(`the echo ceiling's ${driver} run failed (exit ${result.code})`);
    const best = bestWindow(
      cpu.map((c) => [c.t, c.server]),
      seconds * 1000 - 500,
    );
    const span = (cpu[best.to]?.t ?? 1) - (cpu[best.from]?.t ?? 0);
    return {
      roundTripsPerSecond: (result.metrics.echo_round_trips?.count ?? 0) / seconds,
      serverCores: best.rate / 1000,
      driverCores: ((cpu[best.to]?.driver ?? 0) - (cpu[best.from]?.driver ?? 0)) / span,
    };
  } finally {
    await server.stop();
  }
}

/** Measures the ceilings, one after the other (never beside the scenario: they would compete). */
export async function measureCeilings(o: {
  /** The scenario's driver, which also drives the echo. */
  driver: DriverName;
  redisUrl: string;
  seconds: number;
  vus: number;
  sockets: number;
  outDir: string;
  /** Also measure RSS per bare idle socket with this many sockets. */
  idleSockets: number | null;
}): Promise<Ceilings> {
  const claim = await claimCeiling(o.redisUrl, o.seconds);
  const e = await echo(o.driver, o);
  return {
    seconds: o.seconds,
    evalshaPerSecond: claim.callsPerSecond,
    echoRoundTripsPerSecond: e.roundTripsPerSecond,
    echoDriver: o.driver,
    echoServerCores: e.serverCores,
    echoDriverCores: e.driverCores,
    bareSocketKb: o.idleSockets ? await socketMemory(o.idleSockets, o.vus, o.outDir) : null,
  };
}
