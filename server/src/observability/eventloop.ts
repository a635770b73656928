/**
 * Event-loop lag measured by a timer's own lateness, which works on any runtime. prom-client's
 * lag metrics rest on perf_hooks.monitorEventLoopDelay: where a runtime throws for it prom-client
 * silently registers nothing; on Bun 1.4 it exists but misses a stall that starts in the same
 * tick as a scrape (its reset), and prom-client's `nodejs_eventloop_lag_seconds` is one scrape late.
 */
import { Gauge, Histogram, type Registry } from 'prom-client';

export interface LagSampler {
  stop(): void;
}

/** Samples every `intervalMs`: the histogram for quantiles, the gauge for the worst since the last scrape. */
export function sampleEventLoopLag(registry: Registry, intervalMs = 100, now = () => performance.now()): LagSampler {
  const lag = new Histogram({
    name: 'eventloop_lag_seconds',
    help: 'How late a periodic timer fired: time the event loop was busy with something else',
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [registry],
  });
  let worst = 0;
  new Gauge({
    name: 'eventloop_lag_max_seconds',
    help: 'The largest event-loop lag seen since the previous scrape',
    registers: [registry],
    collect() {
      this.set(worst);
      worst = 0;
    },
  });
  let expected = now() + intervalMs;
  const timer = setInterval(() => {
    const t = now();
    const late = Math.max(0, t - expected) / 1000;
    expected = t + intervalMs;
    lag.observe(late);
    if (late > worst) worst = late;
  }, intervalMs);
  timer.unref?.();
  return { stop: () => clearInterval(timer) };
}
