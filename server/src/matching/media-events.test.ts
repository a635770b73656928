import { describe, expect, test } from 'bun:test';
import { asDevice, NO_LIMITS } from '../../test/support/fakes.ts';
import { MemoryJournal } from '../adapters/memory/journal.ts';
import { MemoryMatcher } from '../adapters/memory/matcher.ts';
import type { MediaEvent, PeerEvent } from '../ports.ts';
import { mediaEvents } from './media-events.ts';

async function pair() {
  const events: { to: string; event: PeerEvent }[] = [];
  const matcher = new MemoryMatcher({
    journal: new MemoryJournal(),
    limits: NO_LIMITS,
    deliver: (to, event) => events.push({ to, event }),
    interestFallbackMs: 5000,
    rematchCooldownMs: 60_000,
    instanceId: 'i1',
  });
  const base = { conn: 'c', mode: 'video' as const, interests: [], since: Date.now() };
  await matcher.claim({ ...base, ...asDevice('a'), userId: 'a', sessionId: 's1' });
  await matcher.claim({ ...base, ...asDevice('b'), userId: 'b', sessionId: 's1' });
  return { matcher, events };
}

const left = (id: string, identity = 'b', replaced = false): MediaEvent => ({
  id,
  kind: 'participant_left',
  room: 's1',
  identity,
  replaced,
});

const settle = () => new Promise((r) => setTimeout(r, 5));

describe('media events', () => {
  test('participant_left of an open session closes it as disconnect: the partner and the leaver are told', async () => {
    const { matcher, events } = await pair();
    const handle = mediaEvents(matcher);
    expect(await handle(left('EV_1'))).toBe('closed');
    await settle();
    expect(events.filter((e) => e.event.type === 'peer.left' || e.event.type === 'media.left')).toEqual([
      { to: 'a', event: { type: 'peer.left', sessionId: 's1', reason: 'disconnect' } },
      { to: 'b', event: { type: 'media.left', sessionId: 's1' } },
    ]);
  });

  test('a duplicate is dropped; a second event for the closed session finds it not open', async () => {
    const { matcher } = await pair();
    const handle = mediaEvents(matcher);
    expect(await handle(left('EV_1'))).toBe('closed');
    expect(await handle(left('EV_1'))).toBe('duplicate');
    expect(await handle({ id: 'EV_2', kind: 'room_finished', room: 's1' })).toBe('not_open');
    expect(await handle(left('EV_3', 'a'))).toBe('not_open');
  });

  test('the user’s own close first makes the webhook a no-op, and the other way round', async () => {
    const { matcher } = await pair();
    const handle = mediaEvents(matcher);
    expect(await matcher.close('s1', 'b', 'skip')).not.toBeNull();
    expect(await handle(left('EV_1'))).toBe('not_open');
    const second = await pair();
    expect(await mediaEvents(second.matcher)(left('EV_1'))).toBe('closed');
    expect(await second.matcher.close('s1', 'b', 'skip')).toBeNull();
  });

  test('room_finished closes an open session under the system’s name', async () => {
    const { matcher } = await pair();
    const closes: unknown[] = [];
    const spy = {
      close: (...a: Parameters<typeof matcher.close>) => {
        closes.push(a);
        return matcher.close(...a);
      },
    };
    expect(await mediaEvents(spy)({ id: 'EV_1', kind: 'room_finished', room: 's1' })).toBe('closed');
    expect(closes).toEqual([['s1', { system: 'livekit' }, 'disconnect']]);
  });

  test('a participant replaced by its own rejoin, other events, and strangers to the session change nothing', async () => {
    const { matcher, events } = await pair();
    const handle = mediaEvents(matcher);
    expect(await handle(left('EV_1', 'b', true))).toBe('ignored');
    expect(await handle({ id: 'EV_2', kind: 'other', name: 'participant_joined' })).toBe('ignored');
    expect(await handle(left('EV_3', 'mallory'))).toBe('not_open');
    await settle();
    expect(events.filter((e) => e.event.type === 'peer.left' || e.event.type === 'media.left')).toEqual([]);
    expect(await matcher.close('s1', 'a', 'end')).not.toBeNull();
  });

  test('a close that fails is not remembered, so LiveKit’s retry is applied', async () => {
    const { matcher } = await pair();
    let fail = true;
    const flaky = {
      close: (...a: Parameters<typeof matcher.close>) =>
        fail ? Promise.reject(new Error('redis down')) : matcher.close(...a),
    };
    const handle = mediaEvents(flaky);
    await expect(handle(left('EV_1'))).rejects.toThrow('redis down');
    fail = false;
    expect(await handle(left('EV_1'))).toBe('closed');
  });

  test('remembers a bounded number of ids', async () => {
    const { matcher } = await pair();
    const handle = mediaEvents(matcher, 2);
    await handle(left('EV_1'));
    await handle(left('EV_2'));
    await handle(left('EV_3'));
    expect(await handle(left('EV_3'))).toBe('duplicate');
    expect(await handle(left('EV_1'))).toBe('not_open');
  });
});
