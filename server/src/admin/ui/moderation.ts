/**
 * /admin's moderation panel (browser code, transpiled at boot like app.ts): the latest reports,
 * the bans in force, and the buttons that ban a reported device or address (for a day, a week or
 * for good) and lift a ban. Talks to /admin/api/reports and /admin/api/bans on this server only.
 */
import type { BanView, ReportView } from '../../ports.ts';

const q = <T extends Element = HTMLElement>(sel: string) => document.querySelector(sel) as T;

function node(tag: string, attrs: Record<string, string> = {}, ...kids: (Node | string)[]): HTMLElement {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  e.append(...kids);
  return e;
}

const when = (ms: number | null) => (ms === null ? 'for good' : new Date(ms).toLocaleString());
const short = (id: string | null) => (id ? `${id.slice(0, 10)}…` : '–');

async function api<T>(path: string, init: RequestInit = {}): Promise<T> {
  const res = await fetch(path, { ...init, headers: { 'content-type': 'application/json' } });
  if (!res.ok) throw new Error(((await res.json().catch(() => ({}))) as { error?: string }).error ?? res.statusText);
  return res.json() as Promise<T>;
}

function say(text: string): void {
  q('#mod-status').textContent = text;
}

async function ban(target: { device: string } | { ipHash: string }, minutes: number | null, reason: string) {
  await api('/admin/api/bans', { method: 'POST', body: JSON.stringify({ ...target, minutes, reason }) });
  say(`banned ${'device' in target ? 'device' : 'address'} ${minutes === null ? 'for good' : `for ${minutes / 60} h`}`);
  await refresh();
}

/** The "ban" control of one report row: what (device or address), for how long. */
function banControl(r: ReportView): HTMLElement {
  const length = node('select', { 'aria-label': 'how long' });
  for (const [label, minutes] of [
    ['1 day', '1440'],
    ['7 days', '10080'],
    ['for good', ''],
  ] as const) {
    length.append(node('option', { value: minutes }, label));
  }
  const go = (target: { device: string } | { ipHash: string }) => () => {
    const m = (length as HTMLSelectElement).value;
    ban(target, m ? Number(m) : null, `report ${r.id}: ${r.category}`).catch((e: Error) => say(e.message));
  };
  const cell = node('td', {}, length);
  if (r.reportedDevice) {
    const b = node('button', { 'data-testid': 'ban-device' }, 'ban device');
    b.addEventListener('click', go({ device: r.reportedDevice }));
    cell.append(' ', b);
  }
  if (r.reportedIpHash) {
    const b = node('button', { 'data-testid': 'ban-address' }, 'ban address');
    b.addEventListener('click', go({ ipHash: r.reportedIpHash }));
    cell.append(' ', b);
  }
  return cell;
}

function renderReports(list: ReportView[]): void {
  const body = q('#reports tbody');
  body.replaceChildren(
    ...list.map((r) =>
      node(
        'tr',
        { 'data-testid': 'report-row' },
        node('td', {}, new Date(r.at).toLocaleString()),
        node('td', {}, node('span', { class: 'chip' }, r.category)),
        node('td', { class: 'reason' }, r.reason),
        node('td', { class: 'mono', title: r.reportedDevice ?? '' }, short(r.reportedDevice)),
        node('td', { class: 'mono', title: r.reportedIpHash ?? '' }, short(r.reportedIpHash)),
        banControl(r),
      ),
    ),
  );
}

function renderBans(list: BanView[]): void {
  const body = q('#bans tbody');
  body.replaceChildren(
    ...list.map((b) => {
      const lift = node('button', { 'data-testid': 'lift' }, 'lift');
      lift.addEventListener('click', () => {
        api(`/admin/api/bans/${b.id}`, { method: 'DELETE' })
          .then(() => say(`lifted ban ${b.id}`))
          .then(refresh)
          .catch((e: Error) => say(e.message));
      });
      return node(
        'tr',
        { 'data-testid': 'ban-row' },
        node('td', {}, b.device ? 'device' : 'address'),
        node('td', { class: 'mono', title: b.device ?? b.ipHash ?? '' }, short(b.device ?? b.ipHash)),
        node('td', {}, when(b.until)),
        node('td', {}, b.reason),
        node('td', {}, b.by),
        node('td', {}, lift),
      );
    }),
  );
}

async function refresh(): Promise<void> {
  const [reports, bans] = await Promise.all([
    api<ReportView[]>('/admin/api/reports'),
    api<BanView[]>('/admin/api/bans'),
  ]);
  renderReports(reports);
  renderBans(bans);
}

refresh().catch((e: Error) => say(e.message));
setInterval(() => refresh().catch((e: Error) => say(e.message)), 5000);
