import { expect, test } from 'bun:test';
import { PerSecond } from './series.ts';
import { eventTypes, Trail, type TrailEntry } from './trail.ts';
import { findUsers, leafPaths, localView, StateCounter, type Watched } from './view.ts';

const user = (userId: string, value: unknown, session: string | null = null, ws: unknown = {}): Watched => ({
  userId,
  ws,
  actor: {
    getSnapshot: () => ({
      value,
      context: { session: session ? { sessionId: session, partnerId: `${userId}-partner` } : null },
    }),
  },
});

const users: Watched[] = [
  user('u_a', { session: 'idle', link: 'alive' }),
  user('u_b', { session: { waiting: 'queued' }, link: 'alive' }),
  user('u_c', { session: 'matched', link: 'alive' }, 's_1'),
  user('u_d', { session: 'suspended', link: 'detached' }, 's_2', null),
];

const source = (list: Watched[], trails = new Map<string, Trail>()) => ({
  instance: 'one',
  connections: () => list,
  events: (userId: string): TrailEntry[] => trails.get(userId)?.entries() ?? [],
  queue: () => 7,
  pairs: new PerSecond(10, () => 5_000),
  now: () => 5_000,
});

test('counts every active state node, compound states and regions included', () => {
  const counts = new StateCounter().count(users.map((u) => u.actor.getSnapshot().value));
  expect(counts).toEqual({
    session: 4,
    'session.idle': 1,
    'session.waiting': 1,
    'session.waiting.queued': 1,
    'session.matched': 1,
    'session.suspended': 1,
    link: 4,
    'link.alive': 3,
    'link.detached': 1,
  });
});

test('the instance view counts actors, sockets and states, with the queue and pairs', () => {
  const src = source(users);
  src.pairs.add(3);
  const view = localView(src, new StateCounter());
  expect(view).toMatchObject({ instance: 'one', at: 5_000, online: 4, sockets: 3, queue: 7, pairsTotal: 3 });
  expect(view.states['session.waiting.queued']).toBe(1);
  expect(view.pairs.perSecond).toHaveLength(10);
});

test('users can be searched by id, session, partner or state, with their last events', () => {
  const withTrail = user('u_e', { session: 'inCall', link: 'alive' }, 's_9');
  const trail = new Trail();
  trail.record(eventTypes.codeOf('client.ready'), 4_000);
  trail.record(eventTypes.codeOf('session.connected'), 4_500);
  const src = source([...users, withTrail], new Map([['u_e', trail]]));
  expect(findUsers(src, '', 100).matched).toBe(5);
  expect(findUsers(src, '', 2)).toMatchObject({ matched: 5, rows: [{ userId: 'u_a' }, { userId: 'u_b' }] });
  expect(findUsers(src, 'QUEUED', 10).rows.map((r) => r.userId)).toEqual(['u_b']);
  expect(findUsers(src, 's_2', 10).rows.map((r) => r.userId)).toEqual(['u_d']);
  expect(findUsers(src, 'u_c-partner', 10).rows.map((r) => r.userId)).toEqual(['u_c']);
  expect(findUsers(src, 's_9', 10).rows[0]).toEqual({
    userId: 'u_e',
    states: ['session.inCall', 'link.alive'],
    sessionId: 's_9',
    partnerId: 'u_e-partner',
    connected: true,
    events: [
      { type: 'session.connected', at: 4_500 },
      { type: 'client.ready', at: 4_000 },
    ],
  });
  expect(findUsers(src, 'nobody', 10)).toEqual({ matched: 0, rows: [] });
});

test('leaf paths of a state value', () => {
  expect(leafPaths('idle')).toEqual(['idle']);
  expect(leafPaths({ session: { waiting: 'claiming' }, link: 'alive' })).toEqual([
    'session.waiting.claiming',
    'link.alive',
  ]);
});
