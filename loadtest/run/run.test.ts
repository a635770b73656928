import { describe, expect, test } from 'bun:test';
import type { DriverResult } from './driver.ts';
import { parsePlan } from './plan.ts';
import { buckets, parseProm, sum } from './prom.ts';
import type { Sample } from './sampler.ts';
import { sideRow, sideTable } from './sidebyside.ts';
import { bestWindow, bucketDelta, floors, histogramQuantile, median, rateBetween, slope } from './stats.ts';
import { parseTicks, totals, worstP95 } from './ticks.ts';

const TEXT = `# HELP matcher_pairs_total Pairs
# TYPE matcher_pairs_total counter
matcher_pairs_total{instance="a"} 10
matcher_actors{state="idle",instance="a"} 3
matcher_actors{state="waiting",instance="a"} 2
ws_frames_total{direction="in",type="enqueue",instance="a"} 7
ws_frames_total{direction="out",type="hello",instance="a"} 5
h_bucket{le="0.01",instance="a"} 50
h_bucket{le="0.1",instance="a"} 90
h_bucket{le="+Inf",instance="a"} 100
`;

describe('prometheus text', () => {
  const s = parseProm(TEXT);
  test('sums by name and labels', () => {
    expect(sum(s, 'matcher_pairs_total')).toBe(10);
    expect(sum(s, 'matcher_actors')).toBe(5);
    expect(sum(s, 'ws_frames_total', { direction: 'in' })).toBe(7);
  });
  test('histogram buckets, sorted with +Inf last', () => {
    expect(buckets(s, 'h')).toEqual([
      [0.01, 50],
      [0.1, 90],
      [Number.POSITIVE_INFINITY, 100],
    ]);
  });
});

describe('stats', () => {
  test('slope of a line', () => {
    expect(
      slope([
        [0, 1],
        [1, 3],
        [2, 5],
      ]),
    ).toBeCloseTo(2);
    expect(slope([[0, 1]])).toBe(0);
  });
  test('floors of a sawtooth: flat when only garbage comes and goes, rising when what survives grows', () => {
    // A heap that climbs 0→9 and is collected every 10 units, over 60 units.
    const flat: [number, number][] = Array.from({ length: 60 }, (_, x) => [x, 20 + (x % 10)]);
    expect(floors(flat, 10)).toEqual([
      [5, 20],
      [15, 20],
      [25, 20],
      [35, 20],
      [45, 20],
      [55, 20],
    ]);
    expect(slope(floors(flat, 10))).toBeCloseTo(0);
    // The line through the same points has a slope that only says where the last sawtooth stopped.
    const cut = flat.slice(0, 55);
    expect(slope(cut)).not.toBeCloseTo(0);
    expect(slope(floors(cut, 10))).toBeCloseTo(0);
    const leaking: [number, number][] = flat.map(([x, y]) => [x, y + x / 10]);
    expect(slope(floors(leaking, 10))).toBeCloseTo(0.1);
    expect(floors([], 10)).toEqual([]);
  });
  test('median', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 2, 3])).toBe(2.5);
  });
  test('best window of a cumulative counter', () => {
    const series: [number, number][] = [
      [0, 0],
      [1000, 10],
      [2000, 40],
      [3000, 70],
      [4000, 75],
    ];
    const best = bestWindow(series, 2000);
    expect(best.rate).toBe(30);
    expect(rateBetween(series, best.from, best.to)).toBe(30);
  });
  test('histogram quantiles interpolate within a bucket', () => {
    const h: [number, number][] = [
      [0.01, 50],
      [0.1, 90],
      [Number.POSITIVE_INFINITY, 100],
    ];
    expect(histogramQuantile(0.5, h)).toBeCloseTo(0.01);
    expect(histogramQuantile(0.7, h)).toBeCloseTo(0.055);
    expect(histogramQuantile(0.99, h)).toBe(0.1);
    expect(histogramQuantile(0.5, [[1, 0]])).toBeNull();
    expect(bucketDelta(h, h).every(([, c]) => c === 0)).toBe(true);
  });
});

describe('k6 ticks', () => {
  const log = [
    'time="x" level=info msg="tick 1 1000 0 0 0 0 12.5" source=console',
    'time="x" level=info msg="tick 2 1500 1.5 3 4 0 12.5" source=console',
    'time="x" level=info msg="tick 1 2000 10 0 20 1 12.5" source=console',
    'time="x" level=info msg="tick 2 2500 11.5 3 24 0 12.5" source=console',
    'time="x" level=info msg="tick 1 3000 20 0 40 1 12.5" source=console',
  ].join('\n');
  test('summed over VUs on a one-second grid', () => {
    const ticks = parseTicks(log);
    expect(ticks).toHaveLength(5);
    expect(totals(ticks, 'pairs')).toEqual([
      [1000, 0],
      [2000, 11.5],
      [3000, 31.5],
    ]);
    expect(totals(ticks, 'dropped').at(-1)).toEqual([3000, 1]);
    expect(worstP95(ticks, 1000, 3000)).toBe(12.5);
  });
});

describe('plan', () => {
  test('bun_churn: the Bun driver, its window after the sockets opened and a warm-up', () => {
    const plan = parsePlan(['bun_churn', '--clients', '500', '--duration', '10s']);
    if ('help' in plan) throw new Error('expected a plan');
    expect(plan.driver).toBe('bun');
    expect(plan.script).toEndWith('loadtest/drivers/bun-churn.ts');
    // 500 clients at 2,000/s open in 250 ms; a tenth of the duration is warm-up.
    expect(plan.params).toEqual({ CLIENTS: 500, OPEN_RATE: 2000, MEASURE_FROM: '1250ms', UNTIL: '10250ms' });
    expect(plan.steadyFromMs).toBe(1250);
    expect(plan.steadyMs).toBe(9000);
    expect(plan.scrapeMarksMs).toEqual([1250, 10_250]);
  });
  test('k6 scenarios keep their scripts', () => {
    const plan = parsePlan(['pairing']);
    if ('help' in plan) throw new Error('expected a plan');
    expect(plan.driver).toBe('k6');
    expect(plan.script).toEndWith('loadtest/scenarios/pairing.ts');
  });
});

describe('peer (side by side)', () => {
  test("the plan: bun_churn's, 30 s by default, with the peer from its flags", () => {
    const plan = parsePlan(['peer', '--peer-url', 'ws://127.0.0.1:8080/ws', '--peer-pid', '42']);
    if ('help' in plan) throw new Error('expected a plan');
    expect(plan.driver).toBe('bun');
    expect(plan.script).toEndWith('loadtest/drivers/bun-churn.ts');
    expect(plan.peer).toEqual({ url: 'ws://127.0.0.1:8080/ws', pid: 42 });
    expect(plan.params).toEqual({ CLIENTS: 1000, OPEN_RATE: 2000, MEASURE_FROM: '3500ms', UNTIL: '30500ms' });
    const bare = parsePlan(['peer', '--peer-url', 'ws://127.0.0.1:8080/ws', '--clients', '200']);
    if ('help' in bare) throw new Error('expected a plan');
    expect(bare.peer).toEqual({ url: 'ws://127.0.0.1:8080/ws', pid: null });
    expect(bare.params.CLIENTS).toBe(200);
    expect(() => parsePlan(['peer'])).toThrow(/--peer-url/);
    expect(() => parsePlan(['peer', '--peer-url', 'http://x/ws'])).toThrow(/ws:\/\//);
    expect(() => parsePlan(['peer', '--peer-url', 'ws://x/ws', '--peer-pid', 'me'])).toThrow(/process id/);
    const other = parsePlan(['bun_churn']);
    if ('help' in other) throw new Error('expected a plan');
    expect(other.peer).toBeNull();
  });

  const sample = (
    at: number,
    cpuMs: number,
    rssKb: number,
    driverCpuMs: number,
    redisCpuMs: number | null,
  ): Sample => ({
    at,
    scraped: false,
    instances: [{ cpuMs, rssKb, metrics: null }],
    driverCpuMs,
    redisCpuMs,
    pgCpuMs: redisCpuMs === null ? 0 : redisCpuMs / 2,
    machine: { busyMs: cpuMs + driverCpuMs + (redisCpuMs ?? 0) * 1.5 + at / 10, totalMs: at * 2 },
    scriptCalls: null,
  });
  const driver = (pairs: number): DriverResult => ({
    code: 0,
    log: '',
    cpuMs: 0,
    startedAt: 0,
    endedAt: 12_000,
    metrics: {
      pairs: { count: pairs },
      time_to_match: { med: 4.2, 'p(99)': 31.5 },
      protocol_errors: { count: 0 },
      client_lag: { 'p(99)': 3 },
      window_from: { value: 1000 },
      window_until: { value: 11_000 },
      wire_early_line: { count: 7 },
    },
  });
  const ceilings = {
    seconds: 5,
    evalshaPerSecond: 40_000,
    echoRoundTripsPerSecond: 50_000,
    echoDriver: 'bun' as const,
    echoServerCores: 1,
    echoDriverCores: 1,
    bareSocketKb: null,
  };

  test("a row: the clients' pairs over their window, CPU and RSS from /proc over the same window", () => {
    // 2,000 pairs in 10 s; between the samples at 800 ms and 10.8 s the server used 0.5 cores,
    // the clients 0.1, Redis 0.2 and PostgreSQL 0.1; a sample after the window is left out.
    const samples = [
      sample(0, 0, 1000, 0, 0),
      sample(800, 100, 20_000, 10, 100),
      sample(10_800, 5100, 40_960, 1010, 2100),
      sample(11_800, 9000, 99_000, 2000, 9000),
    ];
    const row = sideRow({ server: 'ours', samples, driver: driver(2000), ceilings, sampled: true, claims: true });
    expect(row.pairsPerS).toBe(200);
    expect(row.measuredSeconds).toBe(10);
    expect(row.serverCpuMsPer1000).toBeCloseTo(2500);
    expect(row.stackCpuMsPer1000).toBeCloseTo(4000);
    expect(row.clientCpuMsPer1000).toBeCloseTo(500);
    expect(row.rssMb).toBe(40);
    expect(row.ttmP50Ms).toBe(4.2);
    expect(row.ttmP99Ms).toBe(31.5);
    expect(row.pairsPerEchoRoundTrip).toBeCloseTo(0.004);
    expect(row.claimRatio).toBeCloseTo(0.01);
    expect(row.races).toEqual({ early_line: 7 });
    expect(row.cores?.other).toBeCloseTo(0.1);
    const peer = sideRow({
      server: 'peer',
      samples: [],
      driver: driver(3000),
      ceilings,
      sampled: false,
      claims: false,
    });
    expect(peer.pairsPerS).toBe(300);
    expect(peer.serverCpuMsPer1000).toBeNull();
    expect(peer.rssMb).toBeNull();
    expect(peer.claimRatio).toBeNull();
    const table = sideTable([row, peer]);
    expect(table[0]).toStartWith('server');
    expect(table[1]).toContain('2,500');
    expect(table[2]).toContain('—');
    expect(table.at(-1)).toContain('server not sampled');
  });
});
