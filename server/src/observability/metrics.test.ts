import { expect, test } from 'bun:test';
import { quietMetrics } from '../../test/support/fakes.ts';
import type { ClientFrameType, ServerFrameType } from '../protocol.ts';
import { Metrics } from './metrics.ts';
import { MISLEADING_UNDER_BUN } from './runtime.ts';

const value = (text: string, name: string) =>
  Number(text.match(new RegExp(`^${name} (\\S+)$`, 'm'))?.[1] ?? Number.NaN);

test('process and event-loop metrics are real under Bun, and the misleading defaults are gone', async () => {
  const m = new Metrics(
    {
      actorsByState: () => ({ idle: 2 }),
      sockets: () => 2,
      waiting: () => 0,
      pendingRows: () => 0,
      journalBacklog: async () => 0,
    },
    'test',
  );
  try {
    const cpuBefore = value(await m.text(), 'process_cpu_seconds_total\\{instance="test"\\}');
    // Burn 300 ms of CPU time (not wall time: the machine may be shared), blocking the event loop.
    const cpu0 = process.cpuUsage();
    const deadline = performance.now() + 10_000;
    while (performance.now() < deadline) {
      const used = process.cpuUsage(cpu0);
      if ((used.user + used.system) / 1e6 >= 0.3) break;
    }
    await Bun.sleep(300);
    const text = await m.text();
    expect(value(text, 'process_cpu_seconds_total\\{instance="test"\\}')).toBeGreaterThan(cpuBefore + 0.2);
    expect(value(text, 'process_resident_memory_bytes\\{instance="test"\\}')).toBeGreaterThan(10_000_000);
    expect(value(text, 'nodejs_heap_size_used_bytes\\{instance="test"\\}')).toBeGreaterThan(1_000_000);
    expect(value(text, 'process_open_fds\\{instance="test"\\}')).toBeGreaterThan(2);
    expect(value(text, 'eventloop_lag_max_seconds\\{instance="test"\\}')).toBeGreaterThan(0.15);
    // prom-client's monitorEventLoopDelay gauges are still exported, but on Bun they miss a stall that
    // starts in the same tick as a scrape (this one did), which is why the sampler above exists.
    expect(text).toContain('nodejs_eventloop_lag_p99_seconds{');
    for (const name of MISLEADING_UNDER_BUN) expect(text).not.toContain(`\n${name}{`);
    expect(value(text, 'matcher_actors\\{state="idle",instance="test"\\}')).toBe(2);
  } finally {
    m.stop();
  }
});

test('frames are counted by direction and type, unknown types as invalid, across scrapes', async () => {
  const m = quietMetrics('t');
  const frames = (text: string, direction: string, type: string) =>
    value(text, `ws_frames_total\\{direction="${direction}",type="${type}",instance="t"\\}`);
  try {
    const first = await m.text();
    expect(frames(first, 'in', 'enqueue')).toBe(0);
    expect(frames(first, 'out', 'matched')).toBe(0);
    m.frameIn('u', 'enqueue');
    m.frameIn('u', 'enqueue');
    m.frameIn('u', null);
    m.frameIn('u', 'toString' as ClientFrameType); // not a frame type: counted as invalid, never as a property of Object
    m.frameOut('u', 'matched', 1);
    m.frameOut(null, 'stats', 5);
    m.frameOut('u', 'nonsense' as ServerFrameType, 1);
    let text = await m.text();
    expect(frames(text, 'in', 'enqueue')).toBe(2);
    expect(frames(text, 'in', 'invalid')).toBe(2);
    expect(frames(text, 'out', 'matched')).toBe(1);
    expect(frames(text, 'out', 'stats')).toBe(5);
    expect(text).not.toContain('type="nonsense"');
    m.frameIn('u', 'enqueue');
    text = await m.text();
    expect(frames(text, 'in', 'enqueue')).toBe(3);
    expect(frames(text, 'out', 'stats')).toBe(5);
  } finally {
    m.stop();
  }
});
