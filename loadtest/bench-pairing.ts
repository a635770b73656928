/**
 * First pairing benchmark (a script, not a test): N WebSocket clients over loopback against one
 * server instance on the Redis adapter; as soon as a pair is matched one of the two skips, so pairs
 * form continuously. Beside it, in the same run, the ceiling: the claim script alone, called with
 * EVALSHA from a tight pipelined loop.
 *
 *   bun loadtest/bench-pairing.ts [--clients 1000] [--seconds 20] [--profile]
 *
 * Needs Redis (REDIS_URL, default 127.0.0.1:6379) and PostgreSQL (DATABASE_URL, default local).
 */
import { readFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { parseArgs } from 'node:util';
import Redis from 'ioredis';
import postgres from 'postgres';
import { startServer } from '../server/test/support/server.ts';
import { claimCeiling } from './ceilings/claim.ts';

const { values } = parseArgs({
  options: {
    clients: { type: 'string', default: '1000' },
    seconds: { type: 'string', default: '20' },
    /** Write a CPU profile of the server (markdown) to loadtest/results/. */
    profile: { type: 'boolean', default: false },
  },
});
const CLIENTS = Number(values.clients);
const SECONDS = Number(values.seconds);
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const PG_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

const pct = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;

async function evalshaCalls(redis: Redis): Promise<number> {
  const info = await redis.info('commandstats');
  const calls = (name: string) => Number(info.match(new RegExp(`cmdstat_${name}:calls=(\\d+)`))?.[1] ?? 0);
  return calls('evalsha') + calls('eval');
}

function cpuMs(pid: number): number {
  const stat = (readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1] ?? '').split(' ');
  return ((Number(stat[11]) + Number(stat[12])) * 1000) / 100; // utime + stime, in clock ticks of 10 ms
}

interface ServerRun {
  pairsPerSecond: number;
  ttmP50: number;
  ttmP99: number;
  scriptCallsPerPair: number;
  serverCpuMsPer1000Pairs: number;
  serverCpuShare: number;
}

async function throughServer(): Promise<ServerRun> {
  const db = `bench_${crypto.randomUUID().replaceAll('-', '').slice(0, 10)}`;
  const admin = postgres(PG_URL, { max: 1, onnotice: () => {} });
  await admin.unsafe(`CREATE DATABASE ${db}`);
  const url = new URL(PG_URL);
  url.pathname = `/${db}`;
  const server = await startServer(
    {
      REDIS_URL,
      DATABASE_URL: url.toString(),
      REDIS_PREFIX: db,
      RATE_FRAMES_PER_SECOND: '1000',
      RATE_FRAME_BURST: '1000',
    },
    values.profile ? ['--cpu-prof-md', `--cpu-prof-dir=${import.meta.dir}/results`] : [],
  );
  const pid = server.pid;
  const redis = new Redis(REDIS_URL);
  const sockets: WebSocket[] = [];
  const ttm: number[] = [];
  let pairs = 0;
  let running = false;
  // Exactly one side skips each session: the second of the two to hear of it.
  const heard = new Set<string>();
  await Promise.all(
    Array.from({ length: CLIENTS }, async () => {
      const ws = new WebSocket(server.ws);
      let waitingAt = 0;
      ws.onmessage = (e) => {
        const f = JSON.parse(String(e.data));
        if (f.type === 'waiting') waitingAt = performance.now();
        else if (f.type === 'matched') {
          if (running) {
            ttm.push(performance.now() - waitingAt);
            pairs += 0.5;
          }
          if (heard.delete(f.sessionId)) ws.send(JSON.stringify({ type: 'skip', sessionId: f.sessionId }));
          else heard.add(f.sessionId);
        }
      };
      await new Promise((r) => ws.addEventListener('open', r, { once: true }));
      sockets.push(ws);
    }),
  );
  for (const ws of sockets) ws.send('{"type":"enqueue"}');
  await Bun.sleep(2000); // warm-up
  const calls0 = await evalshaCalls(redis);
  const cpu0 = cpuMs(pid);
  running = true;
  const t0 = performance.now();
  await Bun.sleep(SECONDS * 1000);
  running = false;
  const elapsed = (performance.now() - t0) / 1000;
  const calls = (await evalshaCalls(redis)) - calls0;
  const cpu = cpuMs(pid) - cpu0;
  for (const ws of sockets) ws.close();
  await server.stop();
  redis.disconnect();
  await admin.unsafe(`DROP DATABASE IF EXISTS ${db} WITH (FORCE)`);
  await admin.end();
  ttm.sort((a, b) => a - b);
  return {
    pairsPerSecond: pairs / elapsed,
    ttmP50: pct(ttm, 50),
    ttmP99: pct(ttm, 99),
    scriptCallsPerPair: calls / pairs,
    serverCpuMsPer1000Pairs: (cpu / pairs) * 1000,
    serverCpuShare: cpu / 1000 / elapsed,
  };
}

const machine = `${cpus().length} × ${cpus()[0]?.model.trim()}, ${Math.round(totalmem() / 2 ** 30)} GiB, Bun ${Bun.version}`;
console.log(`machine: ${machine}`);
console.log(`ceiling: claim script alone, ${SECONDS} s …`);
const top = await claimCeiling(REDIS_URL, Math.min(SECONDS, 10));
console.log(
  `  ${top.callsPerSecond.toFixed(0)} EVALSHA/s → ${(top.callsPerSecond / 2).toFixed(0)} pairs/s at 2 calls per pair`,
);
console.log(`server: ${CLIENTS} clients, one side of every match skips, ${SECONDS} s …`);
const r = await throughServer();
const ratio = r.pairsPerSecond / (top.callsPerSecond / 2);
console.log(
  `  ${r.pairsPerSecond.toFixed(0)} pairs/s, time to match p50 ${r.ttmP50.toFixed(1)} ms, p99 ${r.ttmP99.toFixed(1)} ms`,
);
console.log(
  `  ${r.scriptCallsPerPair.toFixed(2)} script calls per pair (claim, close, …), ratio to ceiling ${ratio.toFixed(2)}`,
);
console.log(
  `  server CPU ${r.serverCpuMsPer1000Pairs.toFixed(0)} ms per 1,000 pairs (${(r.serverCpuShare * 100).toFixed(0)}% of one core)`,
);
console.log(
  `| ${new Date().toISOString().slice(0, 10)} | ${CLIENTS} | ${r.pairsPerSecond.toFixed(0)} | ${r.ttmP50.toFixed(1)} | ${r.ttmP99.toFixed(1)} | ${top.callsPerSecond.toFixed(0)} | ${ratio.toFixed(2)} | ${r.scriptCallsPerPair.toFixed(2)} | ${r.serverCpuMsPer1000Pairs.toFixed(0)} |`,
);
