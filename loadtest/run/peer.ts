/**
 * The peer leg of `bun run load peer`: the Bun churn driver, over the peer's wire
 * (loadtest/drivers/omegle-wire.ts), against a server someone else built and started — the harness
 * only takes its URL and, optionally, its pid. The peer is sampled from /proc like our servers
 * (CPU from /proc/<pid>/stat, RSS from /proc/<pid>/status); it has none of our /metrics, so its
 * pairs are the clients' count, as in the other row of the table.
 */
import { createOmegleWire } from '../drivers/omegle-wire.ts';
import { type DriverResult, finished, startBunDriver } from './driver.ts';
import type { Plan } from './plan.ts';
import { cpuMs, pidListeningOn } from './proc.ts';
import { type Sample, Sampler } from './sampler.ts';

/** The peer's protocol, as the Bun driver names its wires (WIRE). */
const PEER_WIRE = 'omegle';

/** What the peer leg measured. */
export interface PeerLeg {
  url: string;
  pid: number | null;
  /** Where the pid came from: `--peer-pid`, the process listening on the URL's port, or nowhere. */
  pidFrom: 'flag' | 'port' | 'unknown';
  driver: DriverResult;
  samples: Sample[];
}

/** The peer's pid: the flag's, else whoever listens on the URL's port (when this machine shows it). */
export function peerPid(peer: NonNullable<Plan['peer']>): Pick<PeerLeg, 'pid' | 'pidFrom'> {
  if (peer.pid !== null) {
    if (cpuMs(peer.pid) === null) throw new Error(`--peer-pid ${peer.pid}: no such process on this machine`);
    return { pid: peer.pid, pidFrom: 'flag' };
  }
  const u = new URL(peer.url);
  const port = Number(u.port || (u.protocol === 'wss:' ? 443 : 80));
  const local = ['127.0.0.1', 'localhost', '[::1]', '0.0.0.0'].includes(u.hostname);
  const pid = local ? pidListeningOn(port) : null;
  return pid === null ? { pid: null, pidFrom: 'unknown' } : { pid, pidFrom: 'port' };
}

/** One user connects to the peer (its `welcome`) and leaves: fails early, before the ceilings, on a wrong URL. */
export async function probePeer(url: string): Promise<void> {
  const events = { queued() {}, matched() {}, line() {}, fault() {} };
  try {
    const link = await createOmegleWire().connect(url, events);
    await link.leave();
  } catch (e) {
    throw new Error(`the peer at ${url} did not answer as larrasket/omegle.lol does: ${(e as Error).message}`);
  }
}

/** Drives the peer with the plan's churn (the same parameters as our leg), sampling its process. */
export async function drivePeer(plan: Plan, dir: string): Promise<PeerLeg> {
  const peer = plan.peer;
  if (!peer) throw new Error('not a peer plan');
  const { pid, pidFrom } = peerPid(peer);
  const sampler = new Sampler(pid === null ? [] : [{ pid, url: peer.url }], null, null, 0, async () => 0);
  sampler.start();
  await sampler.sample(false);
  await Bun.sleep(1000);
  const run = startBunDriver({
    script: plan.script,
    env: { ...plan.params, TARGETS: peer.url, WIRE: PEER_WIRE },
    outDir: dir,
    name: PEER_WIRE,
    verbose: plan.verbose,
  });
  sampler.driverPid = run.pid;
  // The window's edges from /proc only: the peer has none of the /metrics our scrapes read.
  sampler.sampleAt(plan.scrapeMarksMs);
  const driver = await finished(run);
  sampler.driverPid = null;
  await Bun.sleep(1000); // one more sample: the peer once its users left
  sampler.stop();
  return { url: peer.url, pid, pidFrom, driver, samples: sampler.samples };
}
