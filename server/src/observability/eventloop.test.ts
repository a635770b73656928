import { expect, test } from 'bun:test';
import { Registry } from 'prom-client';
import { sampleEventLoopLag } from './eventloop.ts';

const value = (text: string, name: string) =>
  Number(text.match(new RegExp(`^${name} (\\S+)$`, 'm'))?.[1] ?? Number.NaN);

test('a blocked event loop shows up as lag, and the max resets after a scrape', async () => {
  const registry = new Registry();
  const sampler = sampleEventLoopLag(registry, 20);
  try {
    await Bun.sleep(60);
    const start = performance.now();
    while (performance.now() - start < 150) {
      // keep the event loop busy, as a slow synchronous handler would
    }
    await Bun.sleep(60);
    const first = await registry.metrics();
    expect(value(first, 'eventloop_lag_max_seconds')).toBeGreaterThan(0.1);
    expect(value(first, 'eventloop_lag_seconds_count')).toBeGreaterThanOrEqual(3);
    expect(value(first, 'eventloop_lag_seconds_bucket\\{le="0.25"\\}')).toBeGreaterThan(
      value(first, 'eventloop_lag_seconds_bucket\\{le="0.1"\\}'),
    );
    await Bun.sleep(60);
    expect(value(await registry.metrics(), 'eventloop_lag_max_seconds')).toBeLessThan(0.1);
  } finally {
    sampler.stop();
  }
});
