/**
 * Connection churn (a script, not a test): Bun WebSocket clients connect, wait for `hello` and
 * close, as fast as the server lets them, against one real server instance on Redis and a fresh
 * PostgreSQL database. Every lifecycle creates and finishes one session actor, so anything kept
 * per actor that ever lived shows up here in minutes, where a soak needs hours. Prints the
 * server's RSS every 10 s, and its RSS and JS heap when the churn has stopped.
 *
 *   bun loadtest/bench-churn.ts [--seconds 180] [--clients 50] [--queue]
 *
 * `--queue` makes each client also enqueue and cancel (under an interest of its own, so nobody
 * pairs) before it closes. The stores are the load runner's (loadtest/run/stores.ts): REDIS_URL when
 * set, else a private `redis-server` for the run, and a fresh database on DATABASE_URL's
 * PostgreSQL, dropped afterwards; the server is started the way the runner starts its instances.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { type Instance, startInstances } from './run/servers.ts';
import { openStores } from './run/stores.ts';

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '180' },
    clients: { type: 'string', default: '50' },
    queue: { type: 'boolean', default: false },
  },
});
const SECONDS = Number(values.seconds);
const CLIENTS = Number(values.clients);

const stores = await openStores(process.env.REDIS_URL);
// A server that fails to start must not leave the run's Redis and database behind.
const [instance] = await startInstances({ count: 1, stores, env: {}, profileDir: null }).catch(async (e) => {
  await stores.close();
  throw e;
});
if (!instance) throw new Error('no server instance started');
const server: Instance = instance;
const rssMb = () => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${server.pid}/status`, 'utf8'))?.[1]) / 1024;
const heapMb = async () => {
  const text = await (await fetch(`${server.url}/metrics`)).text();
  return Number(/^nodejs_heap_size_used_bytes\{[^}]*\} (\S+)$/m.exec(text)?.[1]) / 2 ** 20;
};

let lifecycles = 0;
/** One user: connect, hello, (enqueue, waiting, cancel, idle), close. */
function lifecycle(tag: string): Promise<void> {
  return new Promise((resolve) => {
    const ws = new WebSocket(server.ws);
    const send = (frame: object) => ws.send(JSON.stringify(frame));
    ws.onmessage = (e) => {
      const frame = JSON.parse(String(e.data)) as { type: string };
      if (frame.type === 'hello') {
        if (values.queue) send({ type: 'enqueue', mode: 'text', interests: [tag] });
        else ws.close();
      } else if (frame.type === 'waiting') send({ type: 'cancel' });
      else if (frame.type === 'idle') ws.close();
    };
    ws.onclose = () => {
      lifecycles++;
      resolve();
    };
  });
}

const started = Date.now();
const end = started + SECONDS * 1000;
console.log(`bench-churn: ${CLIENTS} clients for ${SECONDS} s${values.queue ? ', enqueue and cancel' : ''}`);
console.log(`  t=0 s  RSS ${rssMb().toFixed(1)} MB`);
const timer = setInterval(() => {
  const t = ((Date.now() - started) / 1000).toFixed(0);
  console.log(`  t=${t} s  RSS ${rssMb().toFixed(1)} MB  lifecycles ${lifecycles}`);
}, 10_000);
await Promise.all(
  Array.from({ length: CLIENTS }, async (_, i) => {
    while (Date.now() < end) await lifecycle(`churn${i}`);
  }),
);
clearInterval(timer);
await Bun.sleep(5000);
console.log(
  `  stopped: RSS ${rssMb().toFixed(1)} MB, JS heap ${(await heapMb()).toFixed(1)} MB, ${lifecycles} lifecycles`,
);
console.log(`  per lifecycle/s: ${(lifecycles / SECONDS).toFixed(0)}`);
await server.stop();
await stores.close();
