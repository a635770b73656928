import { expect, test } from 'bun:test';
import { MemoryBoard } from '../adapters/memory/board.ts';
import type { AdminBoard } from '../ports.ts';
import { AdminHub, MAX_WATCHERS, type Payload } from './hub.ts';
import { PerSecond } from './series.ts';
import type { InstanceView, Watched } from './view.ts';

const NOW = 1_800_000_000_000;
const user = (userId: string, value: unknown): Watched => ({
  userId,
  ws: {},
  actor: { getSnapshot: () => ({ value, context: { session: null } }) },
});

function hub(board: AdminBoard<InstanceView>, users: Watched[]) {
  const warnings: string[] = [];
  const pairs = new PerSecond(60, () => NOW);
  const h = new AdminHub({
    source: { instance: 'one', connections: () => users, events: () => [], queue: () => 2, pairs, now: () => NOW },
    board,
    intervalMs: 1000,
    inspectorPage: null,
    log: { warn: (_o, msg) => warnings.push(msg), info: () => {} },
  });
  return { h, warnings, pairs };
}

const other: InstanceView = {
  instance: 'two',
  at: NOW,
  online: 5,
  sockets: 5,
  queue: 2,
  states: { idle: 5 },
  pairsTotal: 9,
  pairs: { until: NOW / 1000 - 1, perSecond: new Array(60).fill(0) },
};

test('watchers get totals across instances, each instance, and the users of their own search', async () => {
  const board = new MemoryBoard<InstanceView>(5000, () => NOW);
  await board.publish(other);
  const { h } = hub(board, [user('u_a', 'idle'), user('u_b', { waiting: 'queued' })]);
  const all: Payload[] = [];
  const queued: Payload[] = [];
  h.watch('', (p) => all.push(JSON.parse(p)));
  h.watch('queued', (p) => queued.push(JSON.parse(p)));
  await h.tick();
  expect(all).toHaveLength(1);
  expect(all[0]?.total).toMatchObject({ instances: 2, online: 7, queue: 2, pairsTotal: 9 });
  expect(all[0]?.total.states.idle).toBe(6);
  expect(all[0]?.instances.map((i) => [i.instance, i.online])).toEqual([
    ['one', 2],
    ['two', 5],
  ]);
  expect(all[0]?.users.rows.map((r) => r.userId)).toEqual(['u_a', 'u_b']);
  expect(queued[0]?.users.rows.map((r) => r.userId)).toEqual(['u_b']);
  // This instance published itself for the others to read.
  expect((await board.read()).map((v) => v.instance).sort()).toEqual(['one', 'two']);
});

test('a failing board is logged once and the local view is still pushed', async () => {
  const failing: AdminBoard<InstanceView> = {
    publish: async () => {
      throw new Error('redis is down');
    },
    read: async () => {
      throw new Error('redis is down');
    },
  };
  const { h, warnings } = hub(failing, [user('u_a', 'idle')]);
  const got: Payload[] = [];
  h.watch('', (p) => got.push(JSON.parse(p)));
  await h.tick();
  await h.tick();
  expect(got).toHaveLength(2);
  expect(got[1]?.total).toMatchObject({ instances: 1, online: 1 });
  expect(warnings).toEqual(['admin board unreachable']);
});

test('watchers are capped, and removing one frees its place', () => {
  const { h } = hub(new MemoryBoard<InstanceView>(5000), []);
  const stops = Array.from({ length: MAX_WATCHERS }, () => h.watch('', () => {}));
  expect(stops.every(Boolean)).toBe(true);
  expect(h.watch('', () => {})).toBeNull();
  stops[0]?.();
  expect(h.watch('', () => {})).not.toBeNull();
  expect(h.watching).toBe(MAX_WATCHERS);
});
