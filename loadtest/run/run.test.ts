import { describe, expect, test } from 'bun:test';
import { parsePlan } from './plan.ts';
import { buckets, parseProm, sum } from './prom.ts';
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
