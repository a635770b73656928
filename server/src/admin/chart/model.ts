/**
 * The statechart as data, generated from the machine object itself with xstate's graph utilities,
 * so the drawing cannot drift from the code: a tree of states, and at each compound state the
 * transitions between its children. A transition that crosses levels (claiming → matched) is
 * drawn between the ancestors that are siblings (waiting → matched) and says where it starts.
 */
import type { AnyStateMachine, AnyStateNode, AnyTransitionDefinition } from 'xstate';
import { type DirectedGraphNode, toDirectedGraph } from 'xstate/graph';

/** `*` stands for "any state of this region" (a transition declared on the region itself). */
export const ANY = '*';

export interface ChartEdge {
  /** Keys of two children of the containing node, or ANY. */
  from: string;
  to: string;
  /** One line per transition: event, guard where it decides, origin when lifted. */
  labels: string[];
}

export interface ChartNode {
  /** Dotted path from the root, without the machine id ('session.waiting.queued'); '' for the root. */
  path: string;
  key: string;
  kind: AnyStateNode['type'];
  /** Key of the initial child of a compound state. */
  initial: string | null;
  children: ChartNode[];
  edges: ChartEdge[];
  /** Events handled without leaving the state (actions only), for the tooltip. */
  handles: string[];
}

/** A readable name for an event type: timers and invoked actors' results get short names. */
export function eventLabel(eventType: string): string {
  if (eventType === '') return 'always';
  const after = /^xstate\.after\.([^.]+)\./.exec(eventType);
  if (after) return `after ${after[1]}`;
  const actor = /^xstate\.(done|error)\.actor\.(.+)$/.exec(eventType);
  if (actor) return `${actor[1]} ${actor[2]}`;
  if (eventType.startsWith('xstate.done.state.')) return 'done';
  return eventType;
}

function guardName(t: AnyTransitionDefinition): string | null {
  const g = t.guard as unknown;
  if (!g) return null;
  if (typeof g === 'string') return g;
  if (typeof g === 'function') return g.name || 'guard';
  return String((g as { type?: unknown }).type ?? 'guard');
}

const pathOf = (s: AnyStateNode) => s.path.join('.');

/** The ancestors of a state, nearest first (without itself). */
function ancestors(s: AnyStateNode): AnyStateNode[] {
  const out: AnyStateNode[] = [];
  for (let p = s.parent; p; p = p.parent) out.push(p);
  return out;
}

/** The child of `container` on the way down to `s` (s itself when it is a child). */
function childToward(container: AnyStateNode, s: AnyStateNode): AnyStateNode {
  let at = s;
  while (at.parent && at.parent !== container) at = at.parent;
  return at;
}

/** Where a transition is drawn: the containing state and the two children (or ANY) it joins. */
function place(source: AnyStateNode, target: AnyStateNode) {
  if (ancestors(target).includes(source)) {
    return { container: source, from: ANY, to: childToward(source, target).key, lifted: false };
  }
  if (source === target) {
    return { container: source.parent ?? source, from: source.key, to: source.key, lifted: false };
  }
  const mine = new Set(ancestors(source));
  const container = ancestors(target).find((a) => mine.has(a)) ?? source;
  const from = childToward(container, source);
  return { container, from: from.key, to: childToward(container, target).key, lifted: from !== source };
}

/** Builds the chart of a machine. */
export function chartOf(machine: AnyStateMachine): ChartNode {
  const byPath = new Map<string, ChartNode>();
  const build = (g: DirectedGraphNode): ChartNode => {
    const s = g.stateNode;
    const initial = s.type === 'compound' ? (s.initial?.target[0]?.key ?? null) : null;
    const node: ChartNode = {
      path: pathOf(s),
      key: s.key,
      kind: s.type,
      initial,
      children: [],
      edges: [],
      handles: [],
    };
    byPath.set(node.path, node);
    node.children = g.children.map(build);
    return node;
  };
  const graph = toDirectedGraph(machine);
  const root = build(graph);
  const visit = (g: DirectedGraphNode) => {
    for (const e of g.edges) addEdge(byPath, e.source, e.target, e.transition, e.label.text);
    for (const c of g.children) visit(c);
  };
  visit(graph);
  return root;
}

function addEdge(
  byPath: Map<string, ChartNode>,
  source: AnyStateNode,
  target: AnyStateNode,
  t: AnyTransitionDefinition,
  eventType: string,
): void {
  let label = eventLabel(eventType);
  if (!t.target || t.target.length === 0) {
    const node = byPath.get(pathOf(source));
    if (node && !node.handles.includes(label)) node.handles.push(label);
    return;
  }
  const guard = guardName(t);
  const rivals = source.transitions.get(eventType)?.length ?? 1;
  if (guard && rivals > 1) label += ` [${guard}]`;
  const { container, from, to, lifted } = place(source, target);
  if (lifted) label = `${source.key}: ${label}`;
  const node = byPath.get(pathOf(container));
  if (!node) return;
  const edge = node.edges.find((x) => x.from === from && x.to === to);
  if (!edge) node.edges.push({ from, to, labels: [label] });
  else if (!edge.labels.includes(label)) edge.labels.push(label);
}

/** Every node of the chart, depth first. */
export function allNodes(node: ChartNode): ChartNode[] {
  return [node, ...node.children.flatMap(allNodes)];
}
