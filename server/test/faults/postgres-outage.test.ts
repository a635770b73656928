/**
 * Fault: PostgreSQL goes away for a few seconds during churn (a proxy between the server and the
 * real PostgreSQL is cut, then restored). Pairing must not notice, /readyz must say what is
 * wrong while it lasts, and the session log must catch up afterwards without losing a row.
 */
import { afterAll, beforeAll, expect, test } from 'bun:test';
import { PG_URL } from '../support/server.ts';
import { Churn } from './support/churn.ts';
import { recordFigure, secs, Verdict } from './support/figures.ts';
import { faultLab } from './support/lab.ts';
import { metric, readiness, sample } from './support/probes.ts';
import { startProxy, type TcpProxy } from './support/tcp-proxy.ts';

const OUTAGE_MS = 5000;
/** How long the backlog may take to drain: the case's own time budget, not a tuned figure. */
const DRAIN_MS = 20_000;
const PROMISE =
  'during a PostgreSQL outage /readyz answers 503 naming postgres (200 after), pairs keep forming every second, and after it every session seen is in PostgreSQL with its end (0 rows lost) once the pending rows drain (within 20 s)';

let proxy: TcpProxy;
const lab = faultLab();
const { fleet } = lab;

beforeAll(async () => {
  const pg = new URL(PG_URL);
  proxy = startProxy({ hostname: pg.hostname, port: Number(pg.port || 5432) });
});
afterAll(async () => {
  proxy.stop();
});

test('PostgreSQL outage: pairing goes on, readiness says so, and no session row is lost', async () => {
  const env = lab.stores.isolated();
  const viaProxy = new URL(env.DATABASE_URL as string);
  viaProxy.host = `127.0.0.1:${proxy.port}`;
  const [server] = await fleet.start({ ...env, DATABASE_URL: viaProxy.toString(), RESUME_GRACE_MS: '500' }, {});
  if (!server) throw new Error('one instance expected');
  expect(proxy.accepted).toBeGreaterThan(0); // the server really reaches PostgreSQL through the proxy
  const churn = await Churn.start({ targets: [{ label: 'S', ws: server.ws }], clients: 60, skipAfterMs: [50, 250] });
  const ready = sample(() => readiness(server.url), 250);
  const pending = sample(() => metric(server.url, 'sessionlog_pending_rows'), 100);

  await Bun.sleep(3000);
  const cutAt = Date.now();
  proxy.cut();
  await Bun.sleep(OUTAGE_MS);
  proxy.restore();
  const restoredAt = Date.now();
  const before = Math.max(1, ...pending.samples.filter((s) => s.at < cutAt).map((s) => s.value ?? 0));
  const deadline = restoredAt + DRAIN_MS;
  while (Date.now() < deadline && !pending.samples.some((s) => s.at > restoredAt && (s.value ?? Infinity) <= before)) {
    await Bun.sleep(100);
  }
  await Bun.sleep(1000);
  await churn.stop();
  await ready.stop();
  await pending.stop();
  await Bun.sleep(1000); // the closed sockets' sessions end before the drain
  const exit = await fleet.stop(server);

  const during = ready.samples.filter((s) => s.at > cutAt + 1000 && s.at < restoredAt - 2000);
  const okDuring = during.filter((s) => s.value.status === 503 && s.value.failing.includes('postgres'));
  const firstOk = ready.samples.find((s) => s.at > restoredAt && s.value.status === 200);
  const maxPending = Math.max(0, ...pending.samples.map((s) => s.value ?? 0));
  const drained = pending.samples.find((s) => s.at > restoredAt && (s.value ?? Infinity) <= before);
  const drainMs = drained ? drained.at - restoredAt : null;
  const seconds = Array.from({ length: Math.floor(OUTAGE_MS / 1000) }, (_, i) => cutAt + i * 1000);
  const perSecond = seconds.map((t) => churn.formedBetween(t, t + 1000).length);
  const pairsDuring = churn.formedBetween(cutAt, restoredAt).length;
  const rows = new Map((await lab.stores.sessions()).map((r) => [r.session_id, r]));
  const seen = [...churn.sessions.keys()];
  const lost = seen.filter((id) => rows.get(id)?.ended_at == null);

  const v = new Verdict();
  v.check('/readyz sampled during the outage', during.length > 0);
  v.check(
    '/readyz 503 naming postgres throughout the outage',
    during.length > 0 && okDuring.length === during.length,
    during.map((s) => `${s.value.status}[${s.value.failing.join(',')}]`).join(' '),
  );
  v.check('/readyz 200 within 5 s of the restore', firstOk !== undefined && firstOk.at - restoredAt <= 5000);
  v.check(
    'pairs formed in every second of the outage',
    perSecond.every((n) => n > 0),
    perSecond.join(','),
  );
  v.check('pending rows grew during the outage', maxPending > before, `max ${maxPending}, before ${before}`);
  v.check(
    `pending rows drained within ${secs(DRAIN_MS)} of the restore`,
    drainMs !== null && drainMs <= DRAIN_MS,
    secs(drainMs),
  );
  v.check('server drained with exit code 0', exit === 0, String(exit));
  v.check('0 rows lost', lost.length === 0, `${lost.length} of ${seen.length}`);
  recordFigure(
    'PostgreSQL outage',
    PROMISE,
    `${pairsDuring} pairs formed during the ${secs(OUTAGE_MS)} outage (${perSecond.join('/')} per second); max ${maxPending} pending rows; drained ${secs(drainMs)} after restore; rows lost ${lost.length} of ${seen.length}`,
    {
      outageMs: OUTAGE_MS,
      pairsDuringOutage: pairsDuring,
      maxPendingRows: maxPending,
      pendingBeforeOutage: before,
      drainAfterRestoreMs: drainMs,
      sessionsSeen: seen.length,
      rowsLost: lost.length,
      readyzDuring: during.map((s) => s.value.status).join(','),
    },
    v,
  );
  expect(v.broken).toEqual([]);
}, 90_000);
