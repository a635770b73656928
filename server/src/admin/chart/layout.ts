/**
 * Places the chart: each compound state is laid out by dagre (layered, edges routed around
 * nodes, labels given room), bottom up, so a compound child is a box of known size in its
 * parent's layout; parallel regions sit side by side. Coordinates are relative to the parent.
 */
import dagre from '@dagrejs/dagre';
import { ANY, type ChartNode } from './model.ts';

export interface Point {
  x: number;
  y: number;
}

export interface PlacedEdge {
  points: Point[];
  /** Centre of the label block, and its lines; null for the initial-state arrow. */
  label: { x: number; y: number; lines: string[] } | null;
}

export interface Placed {
  node: ChartNode;
  /** Top-left corner, relative to the parent's box. */
  x: number;
  y: number;
  width: number;
  height: number;
  children: Placed[];
  edges: PlacedEdge[];
  /** The initial-state dot and the "any state" box, centre coordinates. */
  initialDot: Point | null;
  anyBox: (Point & { width: number; height: number }) | null;
}

/** Room inside a compound state: its title on top. */
export const PAD = { top: 30, side: 14, bottom: 14 };
const NAME_CHAR = 7.8;
const LABEL_CHAR = 6.3;
export const LABEL_LINE = 13;
const REGION_GAP = 28;
const INIT = '\u0000init';
const ANY_ID = '\u0000any';

function atomicSize(node: ChartNode) {
  return { width: Math.max(104, Math.round(node.key.length * NAME_CHAR + 56)), height: 42 };
}

const place = (node: ChartNode, size: { width: number; height: number }): Placed => ({
  node,
  x: 0,
  y: 0,
  ...size,
  children: [],
  edges: [],
  initialDot: null,
  anyBox: null,
});

/** Lays out a node and everything under it. */
export function layout(node: ChartNode): Placed {
  if (node.children.length === 0) return place(node, atomicSize(node));
  if (node.kind === 'parallel') return layoutRegions(node);
  return layoutCompound(node);
}

function layoutRegions(node: ChartNode): Placed {
  const regions = node.children.map(layout);
  let x = 0;
  for (const r of regions) {
    r.x = x;
    x += r.width + REGION_GAP;
  }
  const placed = place(node, { width: x - REGION_GAP, height: Math.max(...regions.map((r) => r.height)) });
  placed.children = regions;
  return placed;
}

const labelSize = (lines: string[]) => ({
  width: Math.max(...lines.map((l) => l.length)) * LABEL_CHAR + 10,
  height: lines.length * LABEL_LINE + 4,
});

/** A self-transition, drawn by hand on the node's right (dagre routes self-loops poorly). */
function selfLoop(c: Placed, lines: string[]): PlacedEdge {
  const right = c.x + c.width;
  const cy = c.y + c.height / 2;
  const points = [
    { x: right, y: cy - 9 },
    { x: right + 20, y: cy - 15 },
    { x: right + 28, y: cy },
    { x: right + 20, y: cy + 15 },
    { x: right + 1, y: cy + 9 },
  ];
  return { points, label: { x: right + 34 + labelSize(lines).width / 2, y: cy, lines } };
}

function layoutCompound(node: ChartNode): Placed {
  const children = node.children.map(layout);
  const loops = new Map(node.edges.filter((e) => e.from === e.to).map((e) => [e.from, e.labels]));
  /** Room kept to the right of a node for its self-loop and label. */
  const extra = (key: string) => {
    const lines = loops.get(key);
    return lines ? 36 + labelSize(lines).width : 0;
  };
  const g = new dagre.graphlib.Graph<object, { width: number; height: number }, object>({ multigraph: true });
  g.setGraph({ rankdir: 'TB', nodesep: 36, ranksep: 46, edgesep: 14, marginx: 4, marginy: 4 });
  for (const c of children) g.setNode(c.node.key, { width: c.width + extra(c.node.key), height: c.height });
  if (node.initial) {
    g.setNode(INIT, { width: 12, height: 12 });
    g.setEdge(INIT, node.initial, { minlen: 1 }, 'initial');
  }
  if (node.edges.some((e) => e.from === ANY)) g.setNode(ANY_ID, { width: 74, height: 24 });
  node.edges.forEach((e, i) => {
    if (e.from === e.to) return;
    g.setEdge(e.from === ANY ? ANY_ID : e.from, e.to, { ...labelSize(e.labels), labelpos: 'c', minlen: 1 }, String(i));
  });
  dagre.layout(g);
  const shift = (p: Point): Point => ({ x: p.x + PAD.side, y: p.y + PAD.top });
  for (const c of children) {
    const n = g.node(c.node.key) as unknown as Point;
    c.x = n.x - (c.width + extra(c.node.key)) / 2 + PAD.side;
    c.y = n.y - c.height / 2 + PAD.top;
  }
  const box = g.graph() as { width: number; height: number };
  const titleWidth = node.key.length * NAME_CHAR + 90;
  const placed = place(node, {
    width: Math.max(box.width, titleWidth) + 2 * PAD.side,
    height: box.height + PAD.top + PAD.bottom,
  });
  placed.children = children;
  for (const ref of g.edges()) {
    const e = g.edge(ref) as unknown as { points: Point[]; x: number; y: number };
    const source = ref.name === 'initial' ? null : node.edges[Number(ref.name)];
    placed.edges.push({
      points: e.points.map(shift),
      label: source ? { ...shift({ x: e.x, y: e.y }), lines: source.labels } : null,
    });
  }
  for (const c of children) {
    const lines = loops.get(c.node.key);
    if (lines) placed.edges.push(selfLoop(c, lines));
  }
  if (node.initial) placed.initialDot = shift(g.node(INIT) as unknown as Point);
  if (g.hasNode(ANY_ID)) placed.anyBox = { ...shift(g.node(ANY_ID) as unknown as Point), width: 74, height: 24 };
  return placed;
}
