/**
 * Headless Chromium (Debian's) with fake camera and microphone, through playwright-core.
 * Every page records its RTCPeerConnections, so a test can read getStats() without reaching into
 * livekit-client's internals, and the frames its WebSockets sent, so a test can read the wire.
 */
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export function launch(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--use-fake-device-for-media-stream',
      '--use-fake-ui-for-media-stream',
      '--autoplay-policy=no-user-gesture-required',
    ],
  });
}

/** Runs in every page before its scripts: keeps each RTCPeerConnection in window.__pcs. */
const RECORD_PEER_CONNECTIONS = `(() => {
  const Native = window.RTCPeerConnection;
  const pcs = [];
  window.__pcs = pcs;
  window.RTCPeerConnection = class extends Native {
    constructor(...args) { super(...args); pcs.push(this); }
  };
})();`;

/** Runs in every page before its scripts: keeps each text frame a WebSocket sent in window.__sent. */
const RECORD_SENT_FRAMES = `(() => {
  const sent = [];
  window.__sent = sent;
  const send = WebSocket.prototype.send;
  WebSocket.prototype.send = function (data) {
    if (typeof data === 'string') sent.push(data);
    return send.call(this, data);
  };
})();`;

/**
 * Runs in every page before its scripts: notes each test id that ever appeared (window.__seen), so a
 * screen that came and went too fast to wait for still counts, and each change of the stranger's
 * blur (window.__blur: page time and data-blurred, null while there is no remote video).
 */
const RECORD_SCREENS = `(() => {
  const seen = new Set();
  const blur = [];
  window.__seen = seen;
  window.__blur = blur;
  const note = (el) => {
    if (el.nodeType !== 1) return;
    if (el.dataset.testid) seen.add(el.dataset.testid);
    for (const c of el.querySelectorAll('[data-testid]')) seen.add(c.dataset.testid);
  };
  new MutationObserver((records) => {
    for (const r of records) for (const n of r.addedNodes) note(n);
    const v = document.querySelector('[data-testid="remote-blur"]')?.getAttribute('data-blurred') ?? null;
    if (blur.length === 0 ? v !== null : blur[blur.length - 1].v !== v) blur.push({ t: performance.now(), v });
  }).observe(document, { subtree: true, childList: true, attributes: true, attributeFilter: ['data-blurred'] });
})();`;

/** Makes getUserMedia fail as a browser does when the user (or a policy) blocked camera and microphone. */
const DENY_DEVICES = `(() => {
  navigator.mediaDevices.getUserMedia = () => Promise.reject(new DOMException('Permission denied', 'NotAllowedError'));
})();`;

export interface OpenPage {
  page: Page;
  context: BrowserContext;
  errors: string[];
}

export interface PageOptions {
  denyDevices?: boolean;
  viewport?: { width: number; height: number };
  /** Confirm the 18+ gate if it shows (default true: a new context is a first visit). */
  confirmAge?: boolean;
  /** Stop at the first screen, whatever it is (the gate, a ban, a bot check), without waiting to connect. */
  noWait?: boolean;
}

/** A page in a context of its own (its own stranger, its own device), at `url`, ready (socket open). */
export async function openPage(browser: Browser, url: string, opts: PageOptions = {}): Promise<OpenPage> {
  const context = await browser.newContext({ viewport: opts.viewport ?? { width: 1200, height: 800 } });
  await context.addInitScript(RECORD_PEER_CONNECTIONS);
  await context.addInitScript(RECORD_SENT_FRAMES);
  await context.addInitScript(RECORD_SCREENS);
  if (opts.denyDevices) await context.addInitScript(DENY_DEVICES);
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(url);
  if (!opts.noWait) {
    await page.waitForSelector('[data-state="idle"]');
    if (opts.confirmAge !== false) await confirmAge(page);
  }
  return { page, context, errors };
}

/** Confirms the 18+ gate if this page shows it, and waits for the landing page. */
export async function confirmAge(page: Page): Promise<void> {
  const gate = page.getByTestId('age-gate');
  const landing = page.getByTestId('start-text');
  await gate.or(landing).first().waitFor();
  if (await gate.isVisible()) await page.getByTestId('age-confirm').click();
  await landing.waitFor();
}

/** The frames the page's WebSockets sent so far, decoded. */
export function sentFrames(page: Page): Promise<Record<string, unknown>[]> {
  return page.evaluate(() => (window as unknown as { __sent: string[] }).__sent.map((f) => JSON.parse(f)));
}

/** The root's data-state. */
export const stateOf = (page: Page) => page.locator('[data-state]').getAttribute('data-state');

export function waitState(page: Page, state: string, timeout = 20_000) {
  return page.waitForSelector(`[data-state="${state}"]`, { timeout });
}

/** Lines of the chat log from `from` (me, peer or system). */
export function lines(page: Page, from: 'me' | 'peer' | 'system') {
  return page.locator(`[data-testid="chat-line"][data-from="${from}"]`).allTextContents();
}

export async function waitLine(page: Page, from: 'me' | 'peer' | 'system', text: string, timeout = 15_000) {
  await page.locator(`[data-testid="chat-line"][data-from="${from}"]`, { hasText: text }).last().waitFor({ timeout });
}

/** Test ids that appeared on the page at any time since it loaded. */
export function seenIds(page: Page): Promise<string[]> {
  return page.evaluate(() => [...(window as unknown as { __seen: Set<string> }).__seen]);
}

/** Each change of the stranger's blur since the page loaded: page time and `data-blurred` (null: no video). */
export function blurHistory(page: Page): Promise<{ t: number; v: string | null }[]> {
  return page.evaluate(() => (window as unknown as { __blur: { t: number; v: string | null }[] }).__blur);
}
