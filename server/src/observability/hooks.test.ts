import { expect, test } from 'bun:test';
import { createActor, createMachine } from 'xstate';
import { composeInspection } from './hooks.ts';

const machine = createMachine({ id: 'm', initial: 'a', states: { a: { on: { go: 'b' } }, b: {} } });

test('no observers: no inspection at all', () => {
  expect(composeInspection([], () => {})).toBeNull();
});

test('every observer sees the events, and one that throws neither stops the others nor the actor', () => {
  const seen: string[] = [];
  const errors: unknown[] = [];
  const inspect = composeInspection(
    [
      () => {
        throw new Error('broken observer');
      },
      (e) => {
        if (e.type === '@xstate.event') seen.push(e.event.type);
      },
    ],
    (err) => errors.push(err),
  );
  if (!inspect) throw new Error('expected an observer');
  const actor = createActor(machine, { inspect }).start();
  actor.send({ type: 'go' });
  expect(actor.getSnapshot().value).toBe('b');
  expect(actor.getSnapshot().status).toBe('active');
  expect(seen).toEqual(['xstate.init', 'go']);
  expect(errors).toHaveLength(1);
});
