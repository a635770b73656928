/**
 * `bun run load <scenario> [flags]`: one command per scenario. It makes sure the tools and stores
 * are there (the set-up script), opens the run's stores (a private Redis, a fresh PostgreSQL
 * database), measures the ceilings, starts the server instance(s), runs the scenario's driver (k6,
 * or Bun WebSocket clients) while sampling the servers and the CPU of every process, checks that
 * everything returned to zero and that PostgreSQL has a row per pair, and writes the driver's
 * summary (and k6's HTML dashboard) and run.json to loadtest/results/<time>-<scenario>/, then
 * prints a short summary. `peer` then drives the same churn against a peer server someone else
 * started (peer.ts) and prints both servers in one table (sidebyside.ts). See loadtest/README.md.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import { type Ceilings, measureCeilings } from './ceilings.ts';
import { rowsMatchPairs, settle } from './checks.ts';
import { crossed, type DriverResult, type DriverRun, finished, loggedErrors, startBunDriver } from './driver.ts';
import { computeFigures } from './figures.ts';
import { k6Binary, startK6 } from './k6.ts';
import { drivePeer, type PeerLeg, probePeer } from './peer.ts';
import { DRIVER_LABEL, type Plan, parsePlan } from './plan.ts';
import { profilesIn } from './profile.ts';
import { figureMap, printSummary, type RunReport, writeReport } from './report.ts';
import { type Sample, Sampler } from './sampler.ts';
import { type Instance, startInstances, stopInstances } from './servers.ts';
import { sideRow } from './sidebyside.ts';
import { openStores } from './stores.ts';

const ROOT = join(import.meta.dir, '../..');

function setUp(): void {
  // The test runner has just run the set-up; everyone else gets it here (idempotent, quick).
  if (process.env.LOAD_SKIP_SETUP === '1') return;
  const r = spawnSync('node', [join(ROOT, 'scripts/setup.mjs'), 'load'], { stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
}

function machine(driver: Plan['driver']): string {
  // A Bun-driven run needs no k6, and may be on a machine without it.
  const k6 =
    driver === 'k6'
      ? `, ${spawnSync(k6Binary(), ['version'], { encoding: 'utf8' }).stdout.split(' ').slice(0, 2).join(' ')}`
      : '';
  const load = loadavg()[0]?.toFixed(1);
  return `${cpus().length} × ${cpus()[0]?.model.trim()}, ${Math.round(totalmem() / 2 ** 30)} GiB, Bun ${Bun.version}${k6}, load average ${load} at start`;
}

/** The commit measured: the servers run from the working tree, so changes in server/src not yet committed are named. */
function revision(): string {
  const git = (...args: string[]) => spawnSync('git', args, { cwd: ROOT, encoding: 'utf8' }).stdout?.trim() ?? '';
  const commit = git('rev-parse', '--short', 'HEAD') || 'unknown commit';
  return git('status', '--porcelain', '--', 'server/src') ? `${commit} + uncommitted changes in server/src` : commit;
}

/** Problems that make the run a failure (a missed benchmark target is a figure, not a failure). */
function problems(plan: Plan, report: Omit<RunReport, 'verdict'>): string[] {
  const out: string[] = [];
  if (report.peer && report.peer.driver.code !== 0) out.push(`the peer's driver exited ${report.peer.driver.code}`);
  const peerErrors = report.sideBySide?.[1]?.protocolErrors ?? 0; // rows: ours, then the peer's
  if (peerErrors > 0) out.push(`${peerErrors} protocol errors on the peer`);
  const { code, crossed: bad } = report.driver;
  if (code !== 0 && code !== 99) out.push(`${plan.driver} exited ${code}`);
  if ((report.figures.protocol_errors ?? 0) > 0) out.push(`${report.figures.protocol_errors} protocol errors`);
  if (plan.scenario === 'smoke' && bad.length > 0) out.push('smoke thresholds crossed');
  if (plan.scenario === 'idle_capacity' && bad.some((b) => b.startsWith('connect_errors'))) out.push('connect errors');
  if (report.checks && !report.checks.settled.ok) out.push('not back to zero');
  if (report.checks && !report.checks.rows.ok) out.push('PostgreSQL rows ≠ pairs');
  return out;
}

/** Starts the scenario's driver against the instances. */
function startDriver(plan: Plan, instances: Instance[], dir: string): DriverRun {
  const TARGETS = instances.map((i) => i.ws).join(',');
  if (plan.driver === 'bun') {
    return startBunDriver({
      script: plan.script,
      env: { ...plan.params, TARGETS },
      outDir: dir,
      // A side by side keeps each leg's files under its server's name.
      name: plan.peer ? 'serendip' : plan.scenario,
      verbose: plan.verbose,
    });
  }
  return startK6({
    script: plan.script,
    env: { ...plan.params, TARGETS, TICKS: 1 },
    outDir: dir,
    name: plan.scenario,
    dashboard: plan.dashboard,
    verbose: plan.verbose,
    dashboardPeriod: plan.scenario === 'soak' ? '30s' : '2s',
  });
}

async function run(plan: Plan): Promise<boolean> {
  const stamp = new Date().toISOString().replace(/[:.]/g, '-').slice(0, 19);
  const dir = join(plan.resultsDir, `${stamp}-${plan.scenario}`);
  mkdirSync(dir, { recursive: true });
  const host = machine(plan.driver);
  const commit = revision();
  console.log(`[load] ${plan.scenario}: ${host}; ${commit}`);
  if (plan.peer) await probePeer(plan.peer.url);
  const stores = await openStores(plan.redisUrl);
  let storesOpen = true;
  let instances: Instance[] = [];
  try {
    console.log(`[load] Redis ${stores.privateRedis ? `(private, for this run) ${stores.redisUrl}` : stores.redisUrl}`);
    let ceilings: Ceilings | null = null;
    if (plan.ceilingSeconds > 0) {
      console.log(
        `[load] ceilings: claim script alone, then ${DRIVER_LABEL[plan.driver]} against a bare Bun echo (${plan.ceilingSeconds} s each)`,
      );
      ceilings = await measureCeilings({
        driver: plan.driver,
        redisUrl: stores.redisUrl,
        seconds: plan.ceilingSeconds,
        vus: plan.vus,
        sockets: Math.min(plan.sockets, 2000),
        outDir: dir,
        idleSockets: plan.scenario === 'idle_capacity' ? plan.sockets : null,
      });
    }
    instances = await startInstances({
      count: plan.instances,
      stores,
      env: plan.serverEnv,
      profileDir: plan.profile ? dir : null,
    });
    console.log(
      `[load] ${instances.length} instance(s): ${instances.map((i) => `${i.id} pid ${i.pid} ${i.url}`).join(', ')}`,
    );
    const sampler = new Sampler(instances, stores.redisPid, stores.prefix, plan.scrapeEveryMs, () =>
      stores.scriptCalls(),
    );
    sampler.start();
    // A baseline before any load: three scrapes a second apart.
    for (let i = 0; i < 3; i++) {
      await sampler.scrapeNow();
      await Bun.sleep(1000);
    }
    const driverRun = startDriver(plan, instances, dir);
    sampler.driverPid = driverRun.pid;
    sampler.scrapeAt(plan.scrapeMarksMs);
    const driven = await finished(driverRun);
    sampler.driverPid = null;
    const settled = await settle(sampler, stores, plan.settleMs);
    sampler.stop();
    await stopInstances(instances, dir);
    instances = [];
    const rows = await rowsMatchPairs(stores, settled.pairs);
    const figures = computeFigures({ plan, samples: sampler.samples, driver: driven, ceilings });
    let peer: PeerLeg | null = null;
    if (plan.peer) {
      // Ours is stopped and its stores are closed, so the peer has the machine ours had.
      await stores.close();
      storesOpen = false;
      console.log(`[load] peer: the same churn against ${plan.peer.url}`);
      peer = await drivePeer(plan, dir);
    }
    // The driver's log (k6's per-second ticks) is kept in the results; the report needs only the figures.
    const partial: Omit<RunReport, 'verdict'> = {
      scenario: plan.scenario,
      startedAt: new Date(driven.startedAt).toISOString(),
      machine: host,
      commit,
      plan,
      driver: {
        code: driven.code,
        crossed: crossed(driven.metrics),
        cpuMs: driven.cpuMs,
        seconds: (driven.endedAt - driven.startedAt) / 1000,
        loggedErrors: loggedErrors(driven.log),
      },
      ceilings,
      figures: figureMap(figures),
      checks: { settled, rows },
      profiles: plan.profile ? profilesIn(dir) : [],
      samples: sampler.samples,
      ...(peer ? sideBySide(peer, { samples: sampler.samples, driver: driven, ceilings, commit }) : {}),
    };
    const found = problems(plan, partial);
    const report: RunReport = { ...partial, verdict: { ok: found.length === 0, problems: found } };
    writeReport(report, dir);
    printSummary(report, figures, dir);
    return report.verdict.ok;
  } finally {
    if (instances.length > 0) await Promise.all(instances.map((i) => i.kill()));
    if (storesOpen) await stores.close();
  }
}

/** The peer's part of the report: its leg, and one row per server, ours first. */
function sideBySide(
  peer: PeerLeg,
  ours: { samples: Sample[]; driver: DriverResult; ceilings: Ceilings | null; commit: string },
): Pick<RunReport, 'peer' | 'sideBySide'> {
  const { driver } = peer;
  return {
    peer: {
      url: peer.url,
      pid: peer.pid,
      pidFrom: peer.pidFrom,
      driver: {
        code: driver.code,
        cpuMs: driver.cpuMs,
        seconds: (driver.endedAt - driver.startedAt) / 1000,
        loggedErrors: loggedErrors(driver.log),
      },
      samples: peer.samples,
    },
    sideBySide: [
      sideRow({ server: `serendip ${ours.commit}`, ...ours, sampled: true, claims: true }),
      sideRow({
        server: 'larrasket/omegle.lol',
        samples: peer.samples,
        driver,
        ceilings: ours.ceilings,
        sampled: peer.pid !== null,
        claims: false,
      }),
    ],
  };
}

const plan = parsePlan(process.argv.slice(2));
if ('help' in plan) {
  console.log(plan.help);
  process.exit(0);
}
setUp();
process.exit((await run(plan)) ? 0 : 1);
