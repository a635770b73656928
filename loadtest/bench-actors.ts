/**
 * What the session actors themselves cost, without sockets, Redis or k6: memory per idle actor and
 * CPU per pair cycle, through the real bound machine (`bindSessionMachine`) on the in-memory
 * matcher (in-process, so the cycle's cost is the actors' and the matcher's JavaScript only).
 *
 *   bun loadtest/bench-actors.ts [--actors 10000] [--pairs 50000] [--root DIR]
 *
 * Each user is its own device (two users of one device never meet).
 *
 * `--root` points at another checkout (a git worktree of an older commit) to measure its machine
 * with this same script: that is how RESULTS.md's per-change rows were taken.
 */
import { parseArgs } from 'node:util';
import { type AnyActorRef, createActor, createMachine } from 'xstate';
import { loadConfig } from '../server/src/config.ts';
import type { PeerEvent } from '../server/src/ports.ts';

const { values } = parseArgs({
  options: {
    actors: { type: 'string', default: '10000' },
    pairs: { type: 'string', default: '50000' },
    root: { type: 'string', default: `${import.meta.dir}/..` },
  },
});
const ACTORS = Number(values.actors);
const PAIRS = Number(values.pairs);
const ROOT = values.root as string;
const BATCH = 1000;

const { bindSessionMachine } = await import(`${ROOT}/server/src/session/effects.ts`);
const { MemoryMatcher } = await import(`${ROOT}/server/src/adapters/memory/matcher.ts`);

/** The server's default timers (the same for an older `--root`: they are the protocol's). */
const TIMERS = loadConfig({}).timers;

const actors = new Map<string, AnyActorRef>();
const deliver = (userId: string, event: PeerEvent) => actors.get(userId)?.send(event);
let framesOut = 0;
let matches = 0;
let n = 0;

function bind(matcher: unknown) {
  return bindSessionMachine({
    matcher,
    relay: matcher,
    media: { available: () => false, grant: () => null, closeRoom: () => {} },
    // Older machines (`--root`) asked `bannedUntil`; newer ones `banOf` and `shadowed`.
    moderation: { report: () => {}, bannedUntil: () => null, banOf: () => null, shadowed: () => false },
    timers: TIMERS,
    out: { send: () => framesOut++, closeSocket: () => {}, release: () => {} },
    newSessionId: () => `s${++n}`,
    lastFrameAt: () => Date.now(),
    now: Date.now,
    onMatch: () => {
      matches++;
    },
    onError: (what: string, e: unknown) => console.error(what, e),
  });
}

const instanceMachine = createMachine({ id: 'instance' });
const settle = async (rounds = 4) => {
  for (let i = 0; i < rounds; i++) await new Promise((r) => setImmediate(r));
};
const kb = (bytes: number) => (bytes / 1024).toFixed(2);

/** Heap and RSS per idle actor, after a full collection, created the way the gateway creates them. */
async function memory(shared: boolean) {
  const machine = bind(new MemoryMatcher({ deliver, ...base() }));
  const root = createActor(instanceMachine).start();
  Bun.gc(true);
  const before = process.memoryUsage();
  const made: AnyActorRef[] = [];
  for (let i = 0; i < ACTORS; i++) {
    const input = { userId: `m${i}`, conn: `c${i}`, device: `d${i}`, ipHash: 'bench' };
    made.push(createActor(machine, shared ? { id: machine.id, input, parent: root } : { input }).start());
  }
  Bun.gc(true);
  const after = process.memoryUsage();
  const perActor = { heap: (after.heapUsed - before.heapUsed) / ACTORS, rss: (after.rss - before.rss) / ACTORS };
  if (!shared) for (const a of made) a.stop();
  root.stop();
  return perActor;
}

function base() {
  // No enqueue or skip limits: the cycle measures the actors, not the limiter.
  const wide = { perMinute: 1_000_000, burst: 1_000_000 };
  return {
    interestFallbackMs: TIMERS.interestFallbackMs,
    rematchCooldownMs: 0,
    instanceId: 'bench',
    limits: { enqueue: wide, skip: wide },
    // Journaled entries are dropped: the session log is not the actors' cost.
    journal: { push: () => {} },
  };
}

const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

/**
 * The k6 `pairing` cycle, BATCH pairs at a time: enqueue, match, ready, one message, end; the
 * re-queued partner cancels. Re-queued partners may pair with each other first (as in k6): those
 * end too, until everyone is idle. Pairs are counted as the matcher forms them.
 */
async function cycleThroughActors(): Promise<{ ms: number; pairs: number; frames: number }> {
  const matcher = new MemoryMatcher({ deliver, ...base() });
  const machine = bind(matcher);
  const root = createActor(instanceMachine).start();
  const users: AnyActorRef[] = [];
  for (let i = 0; i < 2 * BATCH; i++) {
    const userId = `u${i}`;
    const a = createActor(machine, {
      id: machine.id,
      input: { userId, conn: `c${i}`, device: `d${i}`, ipHash: 'bench' },
      parent: root,
    }).start();
    actors.set(userId, a);
    users.push(a);
  }
  const sid = (a: AnyActorRef) => a.getSnapshot().context.session?.sessionId ?? '';
  // The protocol's state; older machines (`--root`) had a parallel root whose user region was
  // `session`, newer ones nest matched and inCall under `paired`.
  const state = (a: AnyActorRef): string => {
    let v = a.getSnapshot().value;
    if (typeof v === 'object' && 'session' in v) v = v.session;
    if (typeof v === 'object' && 'paired' in v) v = v.paired;
    return typeof v === 'string' ? v : (Object.keys(v)[0] ?? '');
  };
  matches = 0;
  framesOut = 0;
  const start = cpuMs();
  while (matches / 2 < PAIRS) {
    for (let i = 0; i < BATCH; i++) users[2 * i]?.send({ type: 'client.enqueue', mode: 'text', interests: [] });
    await settle();
    for (let i = 0; i < BATCH; i++) users[2 * i + 1]?.send({ type: 'client.enqueue', mode: 'text', interests: [] });
    await settle();
    for (const u of users) if (state(u) === 'matched') u.send({ type: 'client.ready', sessionId: sid(u) });
    await settle();
    for (let i = 0; i < BATCH; i++) {
      const a = users[2 * i] as AnyActorRef;
      a.send({ type: 'client.message', sessionId: sid(a), text: 'hi' });
      const b = users[2 * i + 1] as AnyActorRef;
      b.send({ type: 'client.end', sessionId: sid(b) });
    }
    await settle();
    for (let round = 0; round < 100; round++) {
      let busy = 0;
      for (const u of users) {
        const s = state(u);
        if (s === 'waiting') u.send({ type: 'client.cancel' });
        else if (s === 'matched' || s === 'inCall') u.send({ type: 'client.end', sessionId: sid(u) });
        if (s !== 'idle') busy++;
      }
      if (busy === 0) break;
      await settle();
    }
  }
  const ms = cpuMs() - start;
  const stuck = users.filter((u) => state(u) !== 'idle').length;
  if (stuck > 0) throw new Error(`${stuck} users did not finish the cycle: the bench is wrong`);
  root.stop();
  actors.clear();
  return { ms, pairs: matches / 2, frames: framesOut };
}

const standalone = await memory(false);
const shared = await memory(true);
await cycleThroughActors(); // JIT warm-up
const run = await cycleThroughActors();

console.log(`bench-actors (${ROOT}): Bun ${Bun.version}, ${ACTORS} idle actors, ${run.pairs} pairs`);
console.log(`  idle actor, own system:        ${kb(standalone.heap)} KB heap, ${kb(standalone.rss)} KB RSS`);
console.log(`  idle actor, child of instance: ${kb(shared.heap)} KB heap, ${kb(shared.rss)} KB RSS`);
console.log(
  `  pair cycle, actors + in-memory matcher: ${((run.ms / run.pairs) * 1000).toFixed(0)} ms CPU per 1,000 pairs`,
);
console.log(`  frames emitted per pair:       ${(run.frames / run.pairs).toFixed(1)}`);
