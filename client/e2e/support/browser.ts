/**
 * Headless Chromium (Debian's) with fake camera and microphone, through playwright-core.
 * Every page records its RTCPeerConnections, so a test can read getStats() without reaching into
 * livekit-client's internals.
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

/** Makes getUserMedia fail as a browser does when the user (or a policy) blocked camera and microphone. */
const DENY_DEVICES = `(() => {
  navigator.mediaDevices.getUserMedia = () => Promise.reject(new DOMException('Permission denied', 'NotAllowedError'));
})();`;

export interface OpenPage {
  page: Page;
  context: BrowserContext;
  errors: string[];
}

/** A page in a context of its own (its own stranger), at `url`, ready (socket open). */
export async function openPage(
  browser: Browser,
  url: string,
  opts: { denyDevices?: boolean; viewport?: { width: number; height: number } } = {},
): Promise<OpenPage> {
  const context = await browser.newContext({ viewport: opts.viewport ?? { width: 1200, height: 800 } });
  await context.addInitScript(RECORD_PEER_CONNECTIONS);
  if (opts.denyDevices) await context.addInitScript(DENY_DEVICES);
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(url);
  await page.waitForSelector('[data-state="idle"]');
  return { page, context, errors };
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
