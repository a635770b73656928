/**
 * /admin as a person sees it, in real headless Chromium, against two server instances sharing one
 * Redis: signing in, live counts per state on the page and on the statechart as clients connect,
 * enqueue and pair, the user search, and the counts falling when everyone leaves.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import type { Browser, Page } from 'playwright-core';
import { allNodes, chartOf } from '../src/admin/chart/model.ts';
import { sessionMachine } from '../src/session/machine.ts';
import { launchBrowser } from './support/browser.ts';
import { type HelloClient as Client, pairText, TestClient } from './support/client.ts';
import { freshStores, type RunningServer, type Stores, startServer } from './support/server.ts';

const TOKEN = 'browser-test-admin-token-42';

describe('/admin in Chromium, two instances on one Redis', () => {
  let stores: Stores;
  let one: RunningServer;
  let two: RunningServer;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    stores = await freshStores('real');
    const env = { ...stores.env, ADMIN_TOKEN: TOKEN, ADMIN_INTERVAL_MS: '200', RESUME_GRACE_MS: '300' };
    [one, two, browser] = await Promise.all([
      startServer({ ...env, INSTANCE_ID: 'adm-one' }),
      startServer({ ...env, INSTANCE_ID: 'adm-two' }),
      launchBrowser(),
    ]);
    page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  });
  afterAll(async () => {
    await browser?.close();
    await one?.stop();
    await two?.stop();
    await stores?.drop();
  });

  /** Waits until the element's text is `want` (the page updates by itself, pushed over SSE). */
  async function shows(selector: string, want: string, timeout = 10_000) {
    await page
      .waitForFunction(([sel, w]) => document.querySelector(sel as string)?.textContent === w, [selector, want], {
        timeout,
      })
      .catch(async () => {
        throw new Error(`${selector} shows "${await page.textContent(selector)}", expected "${want}"`);
      });
  }
  const count = (path: string) => `[data-testid="count-${path}"]`;
  const chartCount = (path: string) => `svg.statechart [data-count="${path}"]`;

  test('a person is refused without the token or with a wrong one, and let in with the right one', async () => {
    const refused = await page.goto(`${one.url}/admin`);
    expect(refused?.status()).toBe(401);
    await page.fill('input[name="token"]', 'not-the-admin-token-at-all');
    const [wrong] = await Promise.all([page.waitForNavigation(), page.click('button[type="submit"]')]);
    expect(wrong?.status()).toBe(401);
    expect(await page.textContent('body')).toContain('That token is wrong.');
    await page.fill('input[name="token"]', TOKEN);
    await Promise.all([page.waitForNavigation(), page.click('button[type="submit"]')]);
    expect(new URL(page.url()).pathname).toBe('/admin');
    await page.waitForSelector('[data-testid="status"][data-live="true"]');
    await shows('[data-testid="instances"]', '2');
  });

  test('the statechart is drawn from the machine: every state of it is on the page', async () => {
    const drawn = (
      await page.$$eval('svg.statechart [data-state]', (gs) => gs.map((g) => g.getAttribute('data-state')))
    ).filter(Boolean);
    const states = allNodes(chartOf(sessionMachine))
      .map((n) => n.path)
      .filter(Boolean);
    expect(drawn.sort()).toEqual(states.sort());
  });

  test('counts follow clients as they connect, enqueue, pair and leave, on the page and on the chart', async () => {
    const open = (s: RunningServer) => TestClient.hello(s.ws);
    const [a1, a2, a3] = (await Promise.all([open(one), open(one), open(one)])) as [Client, Client, Client];
    const [b1, b2, b3, b4] = (await Promise.all([open(two), open(two), open(two), open(two)])) as [
      Client,
      Client,
      Client,
      Client,
    ];
    const all = [a1, a2, a3, b1, b2, b3, b4];
    try {
      await shows('[data-testid="total-online"]', '7');
      await shows(count('idle'), '7');
      const s1 = await pairText(a1, b1);
      await pairText(a2, b2);
      a1.send({ type: 'ready', sessionId: s1 });
      b1.send({ type: 'ready', sessionId: s1 });
      await a1.next('connected');
      await b1.next('connected');
      b3.send({ type: 'enqueue', mode: 'text' });
      await b3.next('waiting');

      await shows(count('idle'), '2');
      await shows(count('waiting'), '1');
      await shows(count('waiting.queued'), '1');
      await shows(count('paired'), '4');
      await shows(count('paired.matched'), '2');
      await shows(count('paired.inCall'), '2');
      await shows('[data-testid="pairs-total"]', '2');
      await shows('[data-testid="total-queue"]', '1'); // from the 2 s presence beat
      await shows(chartCount('paired.inCall'), '2');
      await shows(chartCount('waiting.queued'), '1');
      await shows(chartCount('skipped'), '0');
      expect(await page.getAttribute('svg.statechart g[data-state="paired.inCall"]', 'class')).toContain('live');
      expect(await page.getAttribute('svg.statechart g[data-state="skipped"]', 'class')).not.toContain('live');
      const perInstance = await page.$$eval('#instances tbody tr', (rows) =>
        rows.map((r) => [r.getAttribute('data-instance'), r.children[1]?.textContent]),
      );
      expect(perInstance).toEqual([
        ['adm-one', '3'],
        ['adm-two', '4'],
      ]);

      // Search this instance's users: a1 is in a call, with its session and its last events.
      await page.fill('[data-testid="search"]', a1.userId);
      await page.waitForFunction(() => document.querySelectorAll('[data-testid="user-row"]').length === 1);
      const row = `[data-testid="user-row"][data-user="${a1.userId}"]`;
      expect(await page.textContent(`${row} td:nth-child(2)`)).toBe('paired.inCall');
      expect(await page.textContent(`${row} td:nth-child(3)`)).toBe(s1);
      const events = await page.textContent(`${row} td:nth-child(6)`);
      for (const e of ['← connected', '→ ready', '← matched', '→ enqueue']) expect(events).toContain(e);
      await page.fill('[data-testid="search"]', 'idle');
      await page.waitForSelector(`[data-testid="user-row"][data-user="${a3.userId}"]`);
      expect(await page.$$eval('[data-testid="user-row"]', (rows) => rows.length)).toBe(1);
    } finally {
      for (const c of all) c.close();
    }
    await shows('[data-testid="total-online"]', '0');
    await shows(count('paired.inCall'), '0');
    await shows(chartCount('paired.matched'), '0');
    await shows('[data-testid="total-queue"]', '0');
  }, 60_000);

  test('moderation: a report shows on the page, its device is banned with a click and the ban lifted', async () => {
    await page.goto(`${one.url}/admin`);
    const a = await TestClient.hello(one.ws);
    const b = await TestClient.hello(one.ws);
    try {
      a.send({ type: 'enqueue', mode: 'text' });
      await a.next('waiting');
      b.send({ type: 'enqueue', mode: 'text' });
      const sid = (await a.until('matched')).sessionId;
      await b.until('matched');
      a.send({ type: 'report', sessionId: sid, reason: 'spam: selling things' });
      await a.until('ended');
      const row = page.locator('[data-testid="report-row"]', { hasText: 'selling things' });
      await row.waitFor({ timeout: 10_000 });
      expect(await row.locator('.chip').textContent()).toBe('spam');
      await row.locator('[data-testid="ban-device"]').click();
      const ban = page.locator('[data-testid="ban-row"]', { hasText: 'report' });
      await ban.waitFor({ timeout: 10_000 });
      expect(await ban.textContent()).toContain('device');
      // The banned device, queued again after the report, is sent out of the queue and told why at once.
      expect(await b.until('error')).toMatchObject({ code: 'banned' });
      await b.until('idle');
      b.send({ type: 'enqueue', mode: 'text' });
      expect(await b.until('error')).toMatchObject({ code: 'banned' });
      await ban.locator('[data-testid="lift"]').click();
      await page.waitForFunction(() => document.querySelectorAll('[data-testid="ban-row"]').length === 0);
      b.send({ type: 'enqueue', mode: 'text' });
      expect((await b.until('waiting')).type).toBe('waiting');
    } finally {
      a.close();
      b.close();
    }
  }, 30_000);
});
