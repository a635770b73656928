import { expect, test } from 'bun:test';
import { EventTypes, eventTypes, TRAIL_SIZE, Trail } from './trail.ts';

const codeOf = (type: string) => eventTypes.codeOf(type);

const T0 = 1_795_448_000_123;

test('keeps the last events newest first, with exact times', () => {
  const trail = new Trail();
  expect(trail.entries()).toEqual([]);
  trail.record(codeOf('client.enqueue'), T0);
  trail.record(codeOf('queue.matched'), T0 + 1);
  expect(trail.entries()).toEqual([
    { type: 'queue.matched', at: T0 + 1 },
    { type: 'client.enqueue', at: T0 },
  ]);
});

test('never grows: past its size the oldest events fall off', () => {
  const trail = new Trail();
  for (let i = 0; i < 3 * TRAIL_SIZE; i++) trail.record(codeOf(`e${i % 5}`), T0 + i);
  const entries = trail.entries();
  expect(entries).toHaveLength(TRAIL_SIZE);
  expect(entries[0]).toEqual({ type: `e${(3 * TRAIL_SIZE - 1) % 5}`, at: T0 + 3 * TRAIL_SIZE - 1 });
  expect(entries.at(-1)?.at).toBe(T0 + 2 * TRAIL_SIZE);
});

test('a repeated event moves its time instead of taking another slot', () => {
  const trail = new Trail();
  trail.record(codeOf('client.enqueue'), T0);
  for (let i = 1; i <= 20; i++) trail.record(codeOf('client.typing'), T0 + i);
  expect(trail.entries()).toEqual([
    { type: 'client.typing', at: T0 + 20 },
    { type: 'client.enqueue', at: T0 },
  ]);
});

test('the type table is bounded: unknown types past its capacity read as "other"', () => {
  const types = new EventTypes();
  const a = types.codeOf('stable.type');
  expect(types.codeOf('stable.type')).toBe(a);
  let last = 0;
  for (let i = 0; i < 400; i++) last = types.codeOf(`flood.${i}`);
  expect(last).toBe(255);
  const trail = new Trail();
  trail.record(a, T0);
  trail.record(last, T0 + 1);
  expect(trail.entries(types)).toEqual([
    { type: 'other', at: T0 + 1 },
    { type: 'stable.type', at: T0 },
  ]);
});
