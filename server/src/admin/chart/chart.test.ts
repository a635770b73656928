import { expect, test } from 'bun:test';
import { createMachine } from 'xstate';
import { sessionMachine } from '../../session/machine.ts';
import { layout } from './layout.ts';
import { ANY, allNodes, chartOf, eventLabel } from './model.ts';
import { renderSvg } from './svg.ts';

/** Every state path of a machine, read from the machine object without the chart code. */
function statePaths(node: { path: string[]; states: Record<string, unknown> }): string[] {
  const kids = Object.values(node.states) as (typeof node)[];
  return [node.path.join('.'), ...kids.flatMap(statePaths)];
}

test('every state of the session machine is in the chart, with its kind', () => {
  const chart = chartOf(sessionMachine);
  expect(
    allNodes(chart)
      .map((n) => n.path)
      .sort(),
  ).toEqual(statePaths(sessionMachine.root).sort());
  const kinds = Object.fromEntries(allNodes(chart).map((n) => [n.path, n.kind]));
  expect(kinds).toMatchObject({
    '': 'compound',
    waiting: 'compound',
    'waiting.queued': 'atomic',
    paired: 'compound',
    'paired.inCall': 'atomic',
    idle: 'atomic',
  });
  expect(kinds.disconnected).toBe('final');
});

test('every transition with a target is an edge, lifted to siblings where it crosses levels', () => {
  const chart = chartOf(sessionMachine);
  const root = allNodes(chart).find((n) => n.path === '');
  const edge = (from: string, to: string) => root?.edges.find((e) => e.from === from && e.to === to)?.labels;
  expect(edge('idle', 'waiting')).toEqual(['client.enqueue']);
  // paired's own transitions and matched's ready timeout, lifted to paired where it leaves it.
  expect(edge('paired', 'skipped')).toEqual(['client.skip', 'client.report', 'matched: after readyTimeout']);
  expect(edge('waiting', 'paired')).toEqual(['queue.matched', 'claiming: claim.done [isFreshMatch]']);
  const paired = allNodes(chart).find((n) => n.path === 'paired');
  expect(paired?.edges.find((e) => e.from === 'matched' && e.to === 'inCall')?.labels).toEqual(['session.connected']);
  // skipped's claim (which closed the session) takes the user on as waiting.claiming's would.
  expect(edge('skipped', 'waiting')).toEqual([
    'claim.done [isFreshOvertaken]',
    'claim.done [isFreshDeferral]',
    'claim.done [isFresh]',
  ]);
  expect(edge('skipped', 'paired')).toEqual(['queue.matched', 'claim.done [isFreshMatch]']);
  expect(edge(ANY, 'disconnected')).toEqual(['heartbeat.check', 'server.shutdown']);
  expect(paired?.handles).toContain('client.message');
  const suspended = allNodes(chart).find((n) => n.path === 'suspended');
  expect(suspended?.handles).toContain('heartbeat.check');
  // Each targeted transition of the machine is accounted for: count them from the machine itself.
  const targeted = countTargeted(sessionMachine.root as unknown as Node);
  const drawn = allNodes(chart).reduce((sum, n) => sum + n.edges.reduce((s, e) => s + e.labels.length, 0), 0);
  expect(drawn).toBe(targeted);
});

type Node = { states: Record<string, Node>; transitions: Map<string, { target?: unknown[] }[]> };
function countTargeted(node: Node): number {
  let n = 0;
  for (const list of node.transitions.values()) n += list.filter((t) => t.target && t.target.length > 0).length;
  return n + Object.values(node.states).reduce((s, c) => s + countTargeted(c), 0);
}

test('timers and invoked actors get readable names', () => {
  expect(eventLabel('xstate.after.readyTimeout.user.paired.matched')).toBe('after readyTimeout');
  expect(eventLabel('xstate.done.actor.claim')).toBe('done claim');
  expect(eventLabel('xstate.error.actor.close')).toBe('error close');
  expect(eventLabel('')).toBe('always');
  expect(eventLabel('client.skip')).toBe('client.skip');
});

test('the SVG has a live-count slot for every state and every edge label, and follows the machine', () => {
  const svg = renderSvg(layout(chartOf(sessionMachine)), 'Session');
  for (const path of statePaths(sessionMachine.root).filter(Boolean)) {
    expect(svg).toContain(`data-state="${path}"`);
  }
  for (const path of ['idle', 'waiting', 'waiting.queued', 'paired', 'paired.inCall', 'suspended']) {
    expect(svg).toContain(`data-count="${path}"`);
  }
  expect(svg).toContain('after readyTimeout');
  expect(svg).not.toContain('NaN');
  // A different machine draws differently: nothing about the session machine is hard-coded.
  const toy = createMachine({
    id: 'toy',
    initial: 'off',
    states: { off: { on: { flip: 'on' } }, on: { on: { flip: 'off' } }, broken: { type: 'final' } },
  });
  const toySvg = renderSvg(layout(chartOf(toy)), 'Toy');
  for (const path of ['off', 'on', 'broken']) expect(toySvg).toContain(`data-state="${path}"`);
  expect(toySvg).not.toContain('inCall');
  expect((toySvg.match(/class="edge"/g) ?? []).length).toBe(3); // two flips and the initial arrow
});
