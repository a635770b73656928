/**
 * What safe mode costs, measured in the browser: each page's main-thread time (DevTools'
 * Performance metrics TaskDuration and ScriptDuration), the CPU time of every renderer process
 * (where the pages' workers run, so the classifier too; SystemInfo.getProcessInfo), and the page's
 * own User Timing measures of each frame (capture on the main thread, inference in the worker).
 */
import type { Browser, CDPSession, Page } from 'playwright-core';

export interface Usage {
  /** Wall time of the window, ms. */
  ms: number;
  /** Per page: main-thread task and script time in the window, ms. */
  pages: { taskMs: number; scriptMs: number }[];
  /** CPU time of all renderer processes in the window, ms. */
  rendererMs: number;
  /** Per page: frames scored in the window, with their mean inference and capture times, ms. */
  frames: { count: number; classifyMs: number; captureMs: number }[];
}

const metric = async (cdp: CDPSession, name: string): Promise<number> => {
  const { metrics } = await cdp.send('Performance.getMetrics');
  return (metrics.find((m) => m.name === name)?.value ?? 0) * 1000;
};

const rendererCpuMs = async (browser: CDPSession): Promise<number> => {
  const { processInfo } = await browser.send('SystemInfo.getProcessInfo');
  return processInfo.filter((p) => p.type === 'renderer').reduce((sum, p) => sum + p.cpuTime * 1000, 0);
};

const framesSince = (page: Page, since: number) =>
  page.evaluate((t0) => {
    const mean = (name: string) => {
      const es = performance.getEntriesByName(name).filter((e) => e.startTime >= t0);
      return { count: es.length, ms: es.reduce((n, e) => n + e.duration, 0) / Math.max(1, es.length) };
    };
    const classify = mean('serendip:classify');
    return { count: classify.count, classifyMs: classify.ms, captureMs: mean('serendip:capture').ms };
  }, since);

/** Measures `pages` over `ms` of wall time. */
export async function measure(browser: Browser, pages: Page[], ms: number): Promise<Usage> {
  const b = await browser.newBrowserCDPSession();
  const cdps = await Promise.all(pages.map((p) => p.context().newCDPSession(p)));
  await Promise.all(cdps.map((c) => c.send('Performance.enable')));
  const read = () =>
    Promise.all([
      rendererCpuMs(b),
      ...cdps.flatMap((c) => [metric(c, 'TaskDuration'), metric(c, 'ScriptDuration')]),
      ...pages.map((p) => p.evaluate(() => performance.now())),
    ]);
  const t0 = Date.now();
  const before = await read();
  await Bun.sleep(ms);
  const after = await read();
  const wall = Date.now() - t0;
  const delta = (i: number) => (after[i] ?? 0) - (before[i] ?? 0);
  const frames = await Promise.all(pages.map((p, i) => framesSince(p, before[1 + 2 * pages.length + i] ?? 0)));
  await Promise.all([b.detach(), ...cdps.map((c) => c.detach())]);
  return {
    ms: wall,
    pages: pages.map((_, i) => ({ taskMs: delta(1 + 2 * i), scriptMs: delta(2 + 2 * i) })),
    rendererMs: delta(0),
    frames,
  };
}
