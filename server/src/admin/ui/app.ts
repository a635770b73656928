/**
 * The /admin page's script (browser code; transpiled by the server at boot, no build step, no
 * network beyond this server). It listens to /admin/events (SSE) and redraws from each payload.
 * Types here mirror hub.ts's Payload; only type imports, which the transpiler removes.
 */
import type { Payload } from '../hub.ts';

const $ = <T extends Element = HTMLElement>(sel: string) => document.querySelector(sel) as T;
const fmt = new Intl.NumberFormat('en');
const num = (n: number) => fmt.format(Math.round(n * 10) / 10);

function ago(ms: number): string {
  if (ms < 1000) return 'now';
  if (ms < 60_000) return `${Math.round(ms / 1000)} s`;
  if (ms < 3_600_000) return `${Math.round(ms / 60_000)} min`;
  return `${Math.round(ms / 3_600_000)} h`;
}

function el(tag: string, attrs: Record<string, string> = {}, ...kids: (Node | string)[]): HTMLElement {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  e.append(...kids);
  return e;
}

function setText(sel: string, text: string): void {
  const e = $(sel);
  if (e && e.textContent !== text) e.textContent = text;
}

function renderCards(p: Payload): void {
  const t = p.total;
  setText('[data-testid="total-online"]', num(t.online));
  setText('[data-testid="total-sockets"]', num(t.sockets));
  setText('[data-testid="total-queue"]', num(t.queue));
  const last10 = t.pairs.perSecond.slice(-10).reduce((a, b) => a + b, 0) / 10;
  setText('[data-testid="pairs-rate"]', num(last10));
  setText('[data-testid="pairs-total"]', num(t.pairsTotal));
  setText('[data-testid="instances"]', num(t.instances));
}

/** The statechart: each state's live count, and which states hold anyone right now. */
function renderChart(p: Payload): void {
  for (const node of document.querySelectorAll<SVGTextElement>('.statechart [data-count]')) {
    const n = p.total.states[node.dataset.count ?? ''] ?? 0;
    const text = num(n);
    if (node.textContent !== text) node.textContent = text;
    node.parentElement?.classList.toggle('live', n > 0);
  }
}

function renderStates(p: Payload): void {
  const table = $('#states');
  const paths = (table.dataset.paths ?? '').split(' ').filter(Boolean);
  const head = el(
    'tr',
    {},
    el('th', {}, 'state'),
    el('th', {}, 'total'),
    ...p.instances.map((i) => el('th', {}, i.instance)),
  );
  const rows = paths.map((path) => {
    const depth = path.split('.').length - 1;
    const name = el(
      'td',
      { class: 'path', style: `padding-left:${0.6 + depth * 1.2}em` },
      path.split('.').at(-1) ?? path,
    );
    const total = el('td', { 'data-testid': `count-${path}` }, num(p.total.states[path] ?? 0));
    return el('tr', {}, name, total, ...p.instances.map((i) => el('td', {}, num(i.states[path] ?? 0))));
  });
  table.replaceChildren(el('thead', {}, head), el('tbody', {}, ...rows));
}

function renderInstances(p: Payload): void {
  const rows = p.instances.map((i) =>
    el(
      'tr',
      { 'data-instance': i.instance },
      el('td', {}, i.instance === p.self ? `${i.instance} (this one)` : i.instance),
      el('td', {}, num(i.online)),
      el('td', {}, num(i.sockets)),
      el('td', {}, num(i.states.waiting ?? 0)),
      el('td', {}, num(i.pairsPerSecond)),
      el('td', {}, ago(p.at - i.at)),
    ),
  );
  $('#instances tbody').replaceChildren(...rows);
}

/** Pairs per second as a small area chart, drawn as SVG. */
function renderPairs(p: Payload): void {
  const values = p.total.pairs.perSecond;
  const w = 600;
  const h = 120;
  const max = Math.max(1, ...values);
  const step = w / Math.max(1, values.length - 1);
  const pts = values.map((v, i) => `${(i * step).toFixed(1)},${(h - (v / max) * (h - 8)).toFixed(1)}`);
  $('#pairs-line').setAttribute('points', pts.join(' '));
  $('#pairs-area').setAttribute('points', `0,${h} ${pts.join(' ')} ${w},${h}`);
  setText('#pairs-max', `${num(max)}/s`);
  setText('#pairs-span', `last ${Math.round(values.length / 60)} min`);
}

function eventChips(events: { type: string; at: number }[], now: number): HTMLElement {
  return el(
    'span',
    { class: 'events' },
    ...events
      .slice(0, 5)
      .map((e) => el('span', { class: 'chip', title: new Date(e.at).toISOString() }, `${e.type} · ${ago(now - e.at)}`)),
  );
}

function renderUsers(p: Payload): void {
  setText(
    '#users-matched',
    `${num(p.users.matched)} matching on ${p.self}${p.users.matched > p.users.limit ? `, first ${p.users.limit} shown` : ''}`,
  );
  const rows = p.users.rows.map((u) => {
    const inspect = p.inspector
      ? el(
          'button',
          { class: 'inspect', 'data-user': u.userId, title: 'Stream this actor to the Stately inspector' },
          'inspect',
        )
      : '';
    return el(
      'tr',
      { 'data-testid': 'user-row', 'data-user': u.userId },
      el('td', { class: 'mono' }, u.userId),
      el('td', {}, u.states.join(' · ')),
      el('td', { class: 'mono' }, u.sessionId ?? '—'),
      el('td', { class: 'mono' }, u.partnerId ?? '—'),
      el('td', {}, u.connected ? 'open' : 'closed'),
      el('td', {}, eventChips(u.events, p.at)),
      el('td', {}, inspect),
    );
  });
  $('#users tbody').replaceChildren(...rows);
}

function render(p: Payload): void {
  renderCards(p);
  renderChart(p);
  renderStates(p);
  renderInstances(p);
  renderPairs(p);
  renderUsers(p);
  setText('#updated', new Date(p.at).toLocaleTimeString());
  const inspector = $('#inspector');
  inspector.hidden = !p.inspector;
  if (p.inspector) $<HTMLAnchorElement>('#inspector a').href = p.inspector.pageUrl;
}

let source: EventSource | null = null;
function connect(query: string): void {
  source?.close();
  source = new EventSource(`/admin/events?q=${encodeURIComponent(query)}`);
  const status = $('#status');
  source.addEventListener('tick', (e) => {
    status.dataset.live = 'true';
    status.textContent = 'live';
    render(JSON.parse((e as MessageEvent<string>).data) as Payload);
  });
  source.addEventListener('error', () => {
    status.dataset.live = 'false';
    status.textContent = 'reconnecting…';
  });
}

let debounce: ReturnType<typeof setTimeout> | undefined;
$<HTMLInputElement>('#search').addEventListener('input', (e) => {
  clearTimeout(debounce);
  const q = (e.target as HTMLInputElement).value;
  debounce = setTimeout(() => connect(q), 250);
});

$('#users').addEventListener('click', async (e) => {
  const button = (e.target as HTMLElement).closest<HTMLButtonElement>('button.inspect');
  if (!button) return;
  const res = await fetch(`/admin/api/inspect/${encodeURIComponent(button.dataset.user ?? '')}`, { method: 'POST' });
  button.textContent = res.ok ? 'streaming' : 'failed';
});

connect('');
