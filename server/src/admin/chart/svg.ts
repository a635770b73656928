/**
 * Draws the placed chart as one standalone SVG. Every state is a `<g data-state="path">` with a
 * `<text data-count="path">` that /admin fills with the live number of actors in that state.
 */
import type { Placed, PlacedEdge, Point } from './layout.ts';
import { LABEL_LINE } from './layout.ts';

const esc = (s: string) =>
  s.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('"', '&quot;');
const n = (v: number) => Math.round(v * 10) / 10;

const STYLE = `
.statechart{font-family:system-ui,-apple-system,'Segoe UI',sans-serif;}
.statechart .box{fill:#fff;stroke:#5b6b82;stroke-width:1.4;}
.statechart .compound>.box{fill:#f6f8fb;}
.statechart .region>.box{fill:none;stroke:#9aa6b8;stroke-dasharray:6 4;}
.statechart .final>.inner{fill:none;stroke:#5b6b82;stroke-width:1;}
.statechart .live>.box{fill:#e8f3ff;stroke:#1f6feb;stroke-width:2;}
.statechart .name{font-size:13px;font-weight:600;fill:#1d2633;}
.statechart .region>.name{fill:#5b6b82;text-transform:uppercase;letter-spacing:.06em;font-size:11px;}
.statechart .count{font-size:13px;font-weight:700;fill:#8a96a8;font-variant-numeric:tabular-nums;}
.statechart .live>.count{fill:#1f6feb;}
.statechart .edge{fill:none;stroke:#7c8799;stroke-width:1.2;}
.statechart .label{font-size:11px;fill:#3d4757;paint-order:stroke;stroke:#fff;stroke-width:3px;stroke-linejoin:round;}
.statechart .any{fill:#fff;stroke:#9aa6b8;stroke-dasharray:3 3;}
.statechart .anytext{font-size:11px;fill:#5b6b82;}
.statechart .dot{fill:#1d2633;}`;

/** A Catmull-Rom curve through every routed point, so the line passes through its label. */
function pathThrough(points: Point[]): string {
  const first = points[0];
  if (!first) return '';
  let d = `M${n(first.x)},${n(first.y)}`;
  for (let i = 0; i < points.length - 1; i++) {
    const p0 = points[i - 1] ?? (points[i] as Point);
    const p1 = points[i] as Point;
    const p2 = points[i + 1] as Point;
    const p3 = points[i + 2] ?? p2;
    const c1 = { x: p1.x + (p2.x - p0.x) / 6, y: p1.y + (p2.y - p0.y) / 6 };
    const c2 = { x: p2.x - (p3.x - p1.x) / 6, y: p2.y - (p3.y - p1.y) / 6 };
    d += ` C${n(c1.x)},${n(c1.y)} ${n(c2.x)},${n(c2.y)} ${n(p2.x)},${n(p2.y)}`;
  }
  return d;
}

function edge(e: PlacedEdge): string {
  const line = `<path class="edge" d="${pathThrough(e.points)}" marker-end="url(#sc-arrow)"/>`;
  if (!e.label) return line;
  const { x, y, lines } = e.label;
  const top = y - ((lines.length - 1) * LABEL_LINE) / 2 + 4;
  const spans = lines.map((l, i) => `<tspan x="${n(x)}" y="${n(top + i * LABEL_LINE)}">${esc(l)}</tspan>`).join('');
  return `${line}<text class="label" text-anchor="middle">${spans}</text>`;
}

function node(p: Placed, region: boolean): string {
  const { node: c, width: w, height: h } = p;
  const kind = region ? 'region' : c.kind;
  const tip = c.handles.length > 0 ? `${c.path}\nalso handles: ${c.handles.join(', ')}` : c.path;
  const parts = [`<title>${esc(tip)}</title>`, `<rect class="box" width="${n(w)}" height="${n(h)}" rx="10"/>`];
  if (c.kind === 'final')
    parts.push(`<rect class="inner" x="4" y="4" width="${n(w - 8)}" height="${n(h - 8)}" rx="7"/>`);
  const nameY = c.children.length > 0 ? 20 : h / 2 + 4.5;
  parts.push(`<text class="name" x="12" y="${n(nameY)}">${esc(c.key)}</text>`);
  if (!region) {
    parts.push(
      `<text class="count" x="${n(w - 12)}" y="${n(nameY)}" text-anchor="end" data-count="${esc(c.path)}">0</text>`,
    );
  }
  for (const child of p.children) parts.push(node(child, c.kind === 'parallel'));
  for (const e of p.edges) parts.push(edge(e));
  if (p.initialDot) parts.push(`<circle class="dot" cx="${n(p.initialDot.x)}" cy="${n(p.initialDot.y)}" r="5"/>`);
  if (p.anyBox) {
    const a = p.anyBox;
    parts.push(
      `<rect class="any" x="${n(a.x - a.width / 2)}" y="${n(a.y - a.height / 2)}" width="${a.width}" height="${a.height}" rx="12"/>`,
      `<text class="anytext" x="${n(a.x)}" y="${n(a.y + 4)}" text-anchor="middle">any state</text>`,
    );
  }
  return `<g class="state ${kind}" data-state="${esc(c.path)}" transform="translate(${n(p.x)},${n(p.y)})">${parts.join('')}</g>`;
}

/** The whole chart; the root (the machine itself) draws only its regions or children. */
export function renderSvg(root: Placed, label: string): string {
  const m = 8;
  const body = root.node.kind === 'parallel' ? root.children.map((r) => node(r, true)).join('') : node(root, false);
  const w = n(root.width + 2 * m);
  const h = n(root.height + 2 * m);
  return `<svg xmlns="http://www.w3.org/2000/svg" class="statechart" viewBox="${-m} ${-m} ${w} ${h}" width="${w}" height="${h}" role="img" aria-label="${esc(label)}"><style>${STYLE}</style><defs><marker id="sc-arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#7c8799"/></marker></defs>${body}</svg>`;
}
