/**
 * The /admin page: one HTML document with its styles, the statechart SVG drawn at boot from the
 * machine, and the script that fills everything in from the SSE stream. Nothing is fetched from
 * anywhere but this server, so it works offline.
 */

export const esc = (s: string) =>
  s.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('"', '&quot;');

const STYLE = `
:root{--fg:#1d2633;--muted:#5b6b82;--line:#e3e8ef;--bg:#f4f6f9;--accent:#1f6feb;}
*{box-sizing:border-box}
body{margin:0;font:14px/1.45 system-ui,-apple-system,'Segoe UI',sans-serif;color:var(--fg);background:var(--bg)}
header{display:flex;align-items:center;gap:1em;padding:.8em 1.4em;background:#fff;border-bottom:1px solid var(--line)}
header h1{font-size:1.15em;margin:0}
header .meta{color:var(--muted)}
#status{margin-left:auto;padding:.15em .7em;border-radius:1em;background:#fdecea;color:#a12622;font-weight:600}
#status[data-live="true"]{background:#e6f4ea;color:#137333}
main{padding:1.2em 1.4em;display:grid;gap:1.2em}
.cards{display:grid;grid-template-columns:repeat(6,minmax(0,1fr));gap:.8em}
.card,section{background:#fff;border:1px solid var(--line);border-radius:10px}
.card{padding:.7em 1em}
.card .k{color:var(--muted);font-size:.85em}
.card .v{font-size:1.7em;font-weight:700;font-variant-numeric:tabular-nums}
section{padding:1em 1.2em;overflow:auto}
section h2{font-size:1em;margin:0 0 .7em}
.row{display:grid;grid-template-columns:minmax(0,1fr) minmax(0,1fr);gap:1.2em}
table{border-collapse:collapse;width:100%;font-variant-numeric:tabular-nums}
th,td{text-align:left;padding:.3em .6em;border-bottom:1px solid var(--line);white-space:nowrap}
th{color:var(--muted);font-weight:600;font-size:.85em}
.mono{font-family:ui-monospace,SFMono-Regular,Menlo,monospace;font-size:.85em}
.chip{display:inline-block;margin:0 .3em .1em 0;padding:0 .5em;border-radius:.8em;background:#eef2f7;font-size:.8em}
.chart svg.statechart{max-width:100%;height:auto}
#pairs{width:100%;height:140px}
#pairs-area{fill:#e8f0fe}#pairs-line{fill:none;stroke:var(--accent);stroke-width:1.5}
.axis{display:flex;justify-content:space-between;color:var(--muted);font-size:.8em}
input[type=search]{font:inherit;padding:.35em .6em;border:1px solid var(--line);border-radius:6px;width:22em}
button{font:inherit;font-size:.85em;padding:.1em .6em;border:1px solid var(--line);border-radius:6px;background:#fff;cursor:pointer}
#inspector{color:var(--muted)}
td.reason{white-space:normal;max-width:24em}
@media (max-width:1100px){.cards{grid-template-columns:repeat(3,1fr)}.row{grid-template-columns:1fr}}`;

export interface PageData {
  instance: string;
  svg: string;
  /** State paths for the counts table, in chart order (regions' descendants). */
  statePaths: string[];
}

export function adminPage(d: PageData): string {
  const card = (id: string, label: string) =>
    `<div class="card"><div class="k">${label}</div><div class="v" data-testid="${id}">–</div></div>`;
  return `<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1">
<title>Serendip admin · ${esc(d.instance)}</title><style>${STYLE}</style></head><body>
<header><h1>Serendip admin</h1><span class="meta">served by <b>${esc(d.instance)}</b> · updated <span id="updated">–</span></span>
<span id="inspector" hidden>· <a target="_blank" rel="noopener">Stately inspector relay</a></span>
<span id="status" data-testid="status" data-live="false">connecting…</span></header>
<main>
<div class="cards">${card('total-online', 'online (all instances)')}${card('total-sockets', 'open sockets')}${card('total-queue', 'waiting in the queue')}${card('pairs-rate', 'pairs / s (last 10 s)')}${card('pairs-total', 'pairs since start')}${card('instances', 'instances')}</div>
<section class="chart"><h2>Session statechart, live (generated from <code>session/machine.ts</code>)</h2>${d.svg}</section>
<div class="row">
<section><h2>Actors per state</h2><table id="states" data-paths="${esc(d.statePaths.join(' '))}"></table></section>
<section><h2>Pairs per second</h2><svg id="pairs" viewBox="0 0 600 120" preserveAspectRatio="none"><polygon id="pairs-area"/><polyline id="pairs-line"/></svg>
<div class="axis"><span id="pairs-span"></span><span>peak <span id="pairs-max"></span></span><span>now</span></div>
<h2 style="margin-top:1em">Instances</h2><table id="instances"><thead><tr><th>instance</th><th>online</th><th>sockets</th><th>waiting</th><th>pairs/s</th><th>seen</th></tr></thead><tbody></tbody></table></section>
</div>
<section><h2>Connected users</h2><p><input type="search" id="search" data-testid="search" placeholder="user id, session id or state" autocomplete="off"> <span id="users-matched" class="meta"></span></p>
<table id="users"><thead><tr><th>user</th><th>state</th><th>session</th><th>partner</th><th>socket</th><th>last events</th><th></th></tr></thead><tbody></tbody></table></section>
<div class="row">
<section><h2>Reports <span id="mod-status" class="meta" data-testid="mod-status"></span></h2>
<table id="reports" data-testid="reports"><thead><tr><th>when</th><th>category</th><th>details</th><th>device</th><th>address hash</th><th>ban</th></tr></thead><tbody></tbody></table></section>
<section><h2>Bans in force</h2>
<table id="bans" data-testid="bans"><thead><tr><th>what</th><th>id</th><th>until</th><th>why</th><th>by</th><th></th></tr></thead><tbody></tbody></table></section>
</div>
</main><script type="module" src="/admin/app.js"></script><script type="module" src="/admin/moderation.js"></script></body></html>`;
}

/** The page a browser gets without a valid token. */
export function loginPage(message: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Serendip admin</title><style>${STYLE}</style></head>
<body><main style="max-width:28em;margin:4em auto"><section><h2>Serendip admin</h2><p>${esc(message)}</p>
<form method="post" action="/admin/login"><p><input type="password" name="token" placeholder="ADMIN_TOKEN" autocomplete="current-password" style="width:100%"></p>
<p><button type="submit">Sign in</button></p></form></section></main></body></html>`;
}

/** The page every request gets when /admin is switched off (no token outside dev). */
export const DISABLED_PAGE = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Serendip admin</title></head>
<body style="font-family:system-ui;max-width:36em;margin:4em auto"><h1>Admin view disabled</h1>
<p>This server has no <code>ADMIN_TOKEN</code>, so <code>/admin</code> is refused. Set <code>ADMIN_TOKEN</code>
(16 characters or more) and restart, or run <code>bun run dev</code> on your own machine.</p></body></html>`;
