/**
 * One stack and one browser shared by a test file, the pages it opened, and what the file
 * measured: the helpers the scenarios are written with.
 */
import { expect } from 'bun:test';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { launch, type OpenPage, openPage, type PageOptions, waitState } from './browser.ts';
import { type Stack, startStack } from './stack.ts';
import { videoIn } from './stats.ts';

export const ARTIFACTS = join(import.meta.dir, '..', '..', '..', 'artifacts');

export class World {
  private readonly open: OpenPage[] = [];
  /** Uncaught errors of every page closed so far. */
  readonly errors: string[] = [];
  /** matched → connected in ms, per page session, from the pages' User Timing measures. */
  readonly connectTimes: number[] = [];

  private constructor(
    readonly stack: Stack,
    readonly browser: Browser,
  ) {}

  static async start(env: Record<string, string>): Promise<World> {
    mkdirSync(ARTIFACTS, { recursive: true });
    return new World(await startStack(env), await launch());
  }

  /** A fresh page (a stranger of its own), at the app or at `url`. */
  async page(opts: PageOptions & { url?: string } = {}): Promise<Page> {
    const p = await openPage(this.browser, opts.url ?? this.stack.url, opts);
    this.open.push(p);
    return p.page;
  }

  async closeAll(): Promise<void> {
    for (const p of this.open.splice(0)) {
      this.errors.push(...p.errors);
      await p.context.close();
    }
  }

  shot(page: Page, name: string): Promise<Buffer> {
    return page.screenshot({ path: join(ARTIFACTS, `${name}.png`) });
  }

  /** Two fresh pages (at the app, or at `url`) that start video and reach the call; their connect times are recorded. */
  async videoPair(url?: string): Promise<[Page, Page]> {
    return this.pair('start', url);
  }

  /** Two fresh pages that start `start` (video) or `start-text` and reach the call. */
  async pair(button: 'start' | 'start-text', url?: string): Promise<[Page, Page]> {
    const a = await this.page(url ? { url } : {});
    const b = await this.page(url ? { url } : {});
    await a.getByTestId(button).click();
    await waitState(a, 'waiting');
    await b.getByTestId(button).click();
    await Promise.all([waitState(a, 'inCall'), waitState(b, 'inCall')]);
    await Promise.all([this.recordConnectTime(a), this.recordConnectTime(b)]);
    return [a, b];
  }

  /** Records how long this page took from `matched` to `connected` in its current session. */
  async recordConnectTime(p: Page): Promise<void> {
    const ms = await p.evaluate(() => {
      const all = performance.getEntriesByType('measure');
      return all.filter((e) => e.name.startsWith('serendip:matched→connected')).at(-1)?.duration ?? null;
    });
    if (ms !== null) this.connectTimes.push(ms);
  }

  /** Writes the connect-time summary to artifacts/ and returns it. */
  summarise(): { samples: number[]; medianMs: number } | null {
    if (this.connectTimes.length === 0) return null;
    const sorted = [...this.connectTimes].sort((x, y) => x - y);
    const summary = {
      samples: sorted.map(Math.round),
      medianMs: Math.round(sorted[Math.floor(sorted.length / 2)] ?? 0),
    };
    writeFileSync(join(ARTIFACTS, 'matched-to-connected.json'), `${JSON.stringify(summary, null, 2)}\n`);
    return summary;
  }

  async stop(): Promise<void> {
    await this.closeAll();
    await this.browser.close();
    await this.stack.stop();
  }
}

/** The page's current session id, from its last `matched` User Timing mark. */
export function currentSession(p: Page): Promise<string> {
  return p.evaluate(() => {
    const m = performance.getEntriesByType('mark').filter((e) => e.name.startsWith('serendip:matched:'));
    return m.at(-1)?.name.split(':')[2] ?? '';
  });
}

/** The remote video is really playing: frames decoded and bytes received both keep growing. */
export async function expectVideoFlowing(p: Page): Promise<void> {
  const deadline = Date.now() + 15_000;
  let before = await videoIn(p);
  for (;;) {
    await Bun.sleep(1000);
    const after = await videoIn(p);
    const growing = after.framesDecoded > before.framesDecoded && after.bytesReceived > before.bytesReceived;
    if (growing && after.framesDecoded > 10) break;
    if (Date.now() > deadline) throw new Error(`remote video is not flowing: ${JSON.stringify({ before, after })}`);
    before = after;
  }
  const el = await p.getByTestId('remote-video').evaluate((v: HTMLVideoElement) => ({
    width: v.videoWidth,
    paused: v.paused,
  }));
  expect(el.width).toBeGreaterThan(0);
  expect(el.paused).toBe(false);
}
