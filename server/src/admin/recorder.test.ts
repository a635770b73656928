import { expect, test } from 'bun:test';
import { createActor } from 'xstate';
import { sessionMachine } from '../session/machine.ts';
import { trailRecorder } from './recorder.ts';
import type { Trail } from './trail.ts';

test("the root actor's events land in its user's trail, pings and child actors' events do not", async () => {
  const record: { trail?: Trail } = {};
  let t = 1_000;
  const inspect = trailRecorder(
    (userId) => (userId === 'u_1' ? record : undefined),
    () => t++,
  );
  const actor = createActor(sessionMachine, { input: { userId: 'u_1', conn: 'c_1' }, inspect }).start();
  actor.send({ type: 'client.ping' });
  actor.send({ type: 'client.enqueue', mode: 'text', interests: [] });
  await Bun.sleep(0); // the stub claim actor resolves
  actor.send({ type: 'client.cancel' });
  const other = createActor(sessionMachine, { input: { userId: 'u_2', conn: 'c_2' }, inspect }).start();
  other.send({ type: 'client.enqueue', mode: 'text', interests: [] });
  expect(record.trail?.entries().map((e) => e.type)).toEqual([
    'client.cancel',
    'xstate.done.actor.claim',
    'client.enqueue',
    'xstate.init',
  ]);
  actor.stop();
  other.stop();
});
