/**
 * Regenerates docs/admin.png: two server instances on the local Redis and PostgreSQL (fresh key
 * prefix and database), a few hundred simulated users pairing, chatting, skipping and ending for
 * a minute, and /admin photographed in headless Chromium. Loopback only; stops by itself.
 *
 *   bun scripts/admin-screenshot.ts [users=400] [seconds=60]
 */
import { join } from 'node:path';
import { launchBrowser } from '../server/test/support/browser.ts';
import { freshStores, startServer } from '../server/test/support/server.ts';

const users = Number(process.argv[2] ?? 400);
const seconds = Number(process.argv[3] ?? 60);
const TOKEN = `screenshot-${crypto.randomUUID()}`;
const rand = (lo: number, hi: number) => lo + Math.random() * (hi - lo);

/** One simulated user: enqueues, gets ready, chats, then skips (mostly) or ends and comes back. */
function bot(url: string, stopAt: number): WebSocket {
  const ws = new WebSocket(url);
  let sid: string | null = null;
  const send = (frame: object) => ws.readyState === WebSocket.OPEN && ws.send(JSON.stringify(frame));
  const later = (ms: number, fn: () => void) => setTimeout(() => Date.now() < stopAt && fn(), ms);
  const idler = Math.random() < 0.08;
  const ping = setInterval(() => send({ type: 'ping' }), 10_000);
  ws.addEventListener('close', () => clearInterval(ping));
  ws.addEventListener('message', (e) => {
    const f = JSON.parse(String(e.data)) as { type: string; sessionId?: string };
    if (f.type === 'hello' && !idler) later(rand(0, 3000), () => send({ type: 'enqueue', mode: 'text' }));
    if (f.type === 'matched' && f.sessionId) {
      const mine = f.sessionId;
      sid = mine;
      later(rand(200, 2500), () => sid === mine && send({ type: 'ready', sessionId: mine }));
      later(rand(1000, 3000), () => sid === mine && send({ type: 'message', sessionId: mine, text: 'hi!' }));
      later(rand(3000, 12_000), () => {
        if (sid !== mine) return;
        const end = Math.random() < 0.2;
        send({ type: end ? 'end' : 'skip', sessionId: mine });
        if (end) later(rand(1000, 4000), () => send({ type: 'enqueue', mode: 'text' }));
      });
    }
  });
  return ws;
}

const stores = await freshStores('real');
const env = { ...stores.env, ADMIN_TOKEN: TOKEN, LOG_LEVEL: 'warn', REMATCH_COOLDOWN_MS: '5000' };
const one = await startServer({ ...env, INSTANCE_ID: 'serendip-a' });
const two = await startServer({ ...env, INSTANCE_ID: 'serendip-b' });
const photoAt = Date.now() + seconds * 1000;
// The users keep going while the photo is taken, so the chart ends on live traffic.
const stopAt = photoAt + 30_000;
const sockets: WebSocket[] = [];
for (let i = 0; i < users; i++) {
  sockets.push(bot(i % 2 === 0 ? one.ws : two.ws, stopAt));
  if (i % 50 === 49) await Bun.sleep(200);
}
console.log(`[screenshot] ${users} users on two instances for ${seconds} s`);
await Bun.sleep(Math.max(0, photoAt - Date.now()));

const browser = await launchBrowser();
try {
  const page = await browser.newPage({ viewport: { width: 1440, height: 1900 } });
  await page.goto(`${one.url}/admin?token=${TOKEN}`);
  await page.waitForSelector('[data-testid="status"][data-live="true"]');
  await page.fill('[data-testid="search"]', 'inCall');
  await Bun.sleep(2500);
  const out = join(import.meta.dir, '..', 'docs', 'admin.png');
  await page.screenshot({ path: out });
  console.log(`[screenshot] wrote ${out}`);
} finally {
  await browser.close();
  for (const s of sockets) s.close();
  await Bun.sleep(500);
  await one.stop();
  await two.stop();
  await stores.drop();
}
