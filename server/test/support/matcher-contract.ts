/**
 * The matcher contract: one suite, run against every adapter (memory: beside it; Redis: in
 * server/test against a real Redis). If both pass, the server behaves the same on either.
 */
import { describe, expect, test } from 'bun:test';
import type { ClaimResult, Journal, Matcher, PeerEvent, Presence, Relay, Ticket } from '../../src/ports.ts';
import type { Mode } from '../../src/protocol.ts';
import { asDevice } from './fakes.ts';

export interface Harness {
  matcher: Matcher & Relay & Presence;
  /** The journal the matcher writes each session's start and end to. */
  journal: Journal;
  /** Events delivered to users of this instance, in order. */
  events: { to: string; event: PeerEvent }[];
  clock: { now: number };
  close(): Promise<void>;
}

export const FALLBACK_MS = 5_000;
export const COOLDOWN_MS = 60_000;

/** Lets queued microtasks and pub/sub messages arrive. */
const settle = (ms = 30) => new Promise((r) => setTimeout(r, ms));

export function matcherContract(name: string, make: () => Promise<Harness>): void {
  describe(`matcher contract: ${name}`, () => {
    let n = 0;
    const ticket = (h: Harness, userId: string, extra: Partial<Ticket> = {}): Ticket => ({
      userId,
      ...asDevice(userId),
      conn: `c-${userId}`,
      mode: 'video' as Mode,
      interests: [],
      since: h.clock.now,
      sessionId: `s-${++n}-${Math.random().toString(36).slice(2)}`,
      ...extra,
    });
    const matched = (r: ClaimResult) => (r.kind === 'matched' ? r.session : null);
    const with_ = async (fn: (h: Harness) => Promise<void>) => {
      const h = await make();
      try {
        await fn(h);
      } finally {
        await h.close();
      }
    };

    test('the second compatible user is paired with the first; both learn it', () =>
      with_(async (h) => {
        const aSince = h.clock.now - 1_234;
        expect((await h.matcher.claim(ticket(h, 'a', { since: aSince }))).kind).toBe('queued');
        const r = await h.matcher.claim(ticket(h, 'b'));
        const s = matched(r);
        expect(s?.partnerId).toBe('a');
        expect(r.kind === 'matched' && r.formed).toBe(true);
        await settle();
        const toA = h.events.find((e) => e.to === 'a' && e.event.type === 'queue.matched');
        expect(toA?.event.type === 'queue.matched' && toA.event.session.partnerId).toBe('b');
        expect(toA?.event.type === 'queue.matched' && toA.event.session.sessionId).toBe(s?.sessionId ?? 'x');
        // It names the wait `a` was taken from, so an `a` that has queued again since can tell.
        expect(toA?.event.type === 'queue.matched' && toA.event.since).toBe(aSince);
      }));

    test('a user is never paired with itself and is queued once', () =>
      with_(async (h) => {
        const t = ticket(h, 'solo');
        expect((await h.matcher.claim(t)).kind).toBe('queued');
        expect((await h.matcher.claim({ ...t, sessionId: 'other' })).kind).toBe('queued');
        expect((await h.matcher.beat(1)).waiting).toBe(1);
      }));

    test('modes never mix', () =>
      with_(async (h) => {
        await h.matcher.claim(ticket(h, 'v'));
        expect((await h.matcher.claim(ticket(h, 't', { mode: 'text' }))).kind).toBe('queued');
        expect(matched(await h.matcher.claim(ticket(h, 't2', { mode: 'text' })))?.partnerId).toBe('t');
      }));

    test('the longest-waiting compatible user is taken first', () =>
      with_(async (h) => {
        await h.matcher.claim(ticket(h, 'x1', { interests: ['x'] }));
        h.clock.now += 10;
        await h.matcher.claim(ticket(h, 'y1', { interests: ['y'] }));
        h.clock.now += 10;
        await h.matcher.claim(ticket(h, 'y2', { interests: ['y'] }));
        const r = matched(await h.matcher.claim(ticket(h, 'xy', { interests: ['y', 'x'] })));
        expect(r?.partnerId).toBe('x1');
        expect(r?.commonInterests).toEqual(['x']);
      }));

    test('interests pair people sharing one, and fall back to anyone after the timer', () =>
      with_(async (h) => {
        const a = await h.matcher.claim(ticket(h, 'cats', { interests: ['cats'] }));
        expect(a).toEqual({ kind: 'queued', retryInMs: null });
        const b = await h.matcher.claim(ticket(h, 'dogs', { interests: ['dogs'] }));
        expect(b).toEqual({ kind: 'queued', retryInMs: FALLBACK_MS });
        const c = matched(await h.matcher.claim(ticket(h, 'dogs2', { interests: ['birds', 'dogs'] })));
        expect(c?.partnerId).toBe('dogs');
        expect(c?.commonInterests).toEqual(['dogs']);
        // Someone with no interests is compatible only once "cats" has waited the fallback time.
        const none = await h.matcher.claim(ticket(h, 'none'));
        expect(none.kind).toBe('queued');
        h.clock.now += FALLBACK_MS;
        const retry = matched(await h.matcher.claim(ticket(h, 'none', { since: h.clock.now - FALLBACK_MS })));
        expect(retry?.partnerId).toBe('cats');
        expect(retry?.commonInterests).toEqual([]);
      }));

    test('two users sharing an interest are paired however many wait ahead of them', () =>
      with_(async (h) => {
        // 100 users with interests nobody shares, all within the fallback time: none can be paired.
        for (let i = 0; i < 100; i++) {
          expect((await h.matcher.claim(ticket(h, `lone${i}`, { interests: [`only-${i}`] }))).kind).toBe('queued');
          h.clock.now += 1;
        }
        expect((await h.matcher.claim(ticket(h, 'deep', { interests: ['rare', 'x'] }))).kind).toBe('queued');
        h.clock.now += 1;
        const r = matched(await h.matcher.claim(ticket(h, 'late', { interests: ['rare'] })));
        expect(r?.partnerId).toBe('deep');
        expect(r?.commonInterests).toEqual(['rare']);
        // Taken out of the index too: a third 'rare' user finds nobody.
        expect((await h.matcher.claim(ticket(h, 'third', { interests: ['rare'] }))).kind).toBe('queued');
        expect((await h.matcher.beat(0)).waiting).toBe(101);
      }));

    test('the scan looks past unpairable users to the 64th waiting, and no further', () =>
      with_(async (h) => {
        // 40 users within their interest fallback (nobody shares their interest), then one open to anyone.
        for (let i = 0; i < 40; i++) {
          await h.matcher.claim(ticket(h, `lone${i}`, { interests: [`only-${i}`] }));
          h.clock.now += 1;
        }
        await h.matcher.claim(ticket(h, 'open41'));
        expect(matched(await h.matcher.claim(ticket(h, 'seeker')))?.partnerId).toBe('open41');
        // 30 more unpairable users ahead: the next open one waits at rank 70, past the scan.
        for (let i = 40; i < 70; i++) {
          await h.matcher.claim(ticket(h, `lone${i}`, { interests: [`only-${i}`] }));
          h.clock.now += 1;
        }
        await h.matcher.claim(ticket(h, 'open71'));
        expect((await h.matcher.claim(ticket(h, 'seeker2'))).kind).toBe('queued');
      }));

    test('ready: connected once both are, the partner told exactly once', () =>
      with_(async (h) => {
        await h.matcher.claim(ticket(h, 'a'));
        const s = matched(await h.matcher.claim(ticket(h, 'b')));
        const sid = s?.sessionId ?? '';
        expect(await h.matcher.ready(sid, 'a')).toEqual({ connected: false });
        expect(await h.matcher.ready(sid, 'b')).toEqual({ connected: true });
        expect(await h.matcher.ready(sid, 'a')).toEqual({ connected: true });
        expect(await h.matcher.ready(sid, 'stranger')).toEqual({ connected: false });
        await settle();
        const told = h.events.filter((e) => e.event.type === 'session.connected');
        expect(told).toEqual([{ to: 'a', event: { type: 'session.connected', sessionId: sid } }]);
      }));

    test('two simultaneous closes close the session once; the partner hears once', () =>
      with_(async (h) => {
        await h.matcher.claim(ticket(h, 'a'));
        const sid = matched(await h.matcher.claim(ticket(h, 'b')))?.sessionId ?? '';
        const [x, y] = await Promise.all([h.matcher.close(sid, 'a', 'skip'), h.matcher.close(sid, 'b', 'skip')]);
        expect([x, y].filter(Boolean)).toHaveLength(1);
        const closed = x ?? y;
        expect(closed).toMatchObject({ sessionId: sid, userA: 'a', userB: 'b', mode: 'video', reason: 'skip' });
        expect(await h.matcher.close(sid, 'a', 'end')).toBeNull();
        await settle();
        expect(h.events.filter((e) => e.event.type === 'peer.left')).toHaveLength(1);
      }));

    test('only a member of a session can close it', () =>
      with_(async (h) => {
        await h.matcher.claim(ticket(h, 'a'));
        const sid = matched(await h.matcher.claim(ticket(h, 'b')))?.sessionId ?? '';
        expect(await h.matcher.close(sid, 'mallory', 'skip')).toBeNull();
        expect(await h.matcher.close('no-such-session', 'a', 'skip')).toBeNull();
        expect(await h.matcher.close(sid, 'a', 'end')).not.toBeNull();
      }));

    test('the system closes a session on behalf of a member: the partner hears peer.left, the member media.left, once', () =>
      with_(async (h) => {
        await h.matcher.claim(ticket(h, 'a'));
        const sid = matched(await h.matcher.claim(ticket(h, 'b')))?.sessionId ?? '';
        const closed = await h.matcher.close(sid, { system: 'livekit', member: 'b' }, 'disconnect');
        expect(closed).toMatchObject({ sessionId: sid, endedBy: 'b', reason: 'disconnect', userA: 'a', userB: 'b' });
        expect(await h.matcher.close(sid, { system: 'livekit', member: 'b' }, 'disconnect')).toBeNull();
        expect(await h.matcher.close(sid, 'a', 'skip')).toBeNull();
        await settle();
        const told = h.events.filter((e) => e.event.type === 'peer.left' || e.event.type === 'media.left');
        expect(told).toHaveLength(2);
        expect(told).toContainEqual({ to: 'a', event: { type: 'peer.left', sessionId: sid, reason: 'disconnect' } });
        expect(told).toContainEqual({ to: 'b', event: { type: 'media.left', sessionId: sid } });
        // A disconnect leaves no cooldown: they may meet again at once.
        await h.matcher.claim(ticket(h, 'a'));
        expect(matched(await h.matcher.claim(ticket(h, 'b')))?.partnerId).toBe('a');
      }));

    test('the system closes a session on nobody’s behalf, recorded under its own name', () =>
      with_(async (h) => {
        await h.matcher.claim(ticket(h, 'a'));
        const sid = matched(await h.matcher.claim(ticket(h, 'b')))?.sessionId ?? '';
        const closed = await h.matcher.close(sid, { system: 'livekit' }, 'disconnect');
        expect(closed).toMatchObject({ sessionId: sid, endedBy: 'livekit', reason: 'disconnect' });
        await settle();
        const told = h.events.filter((e) => e.event.type === 'peer.left' || e.event.type === 'media.left');
        expect(told).toHaveLength(2);
        for (const to of ['a', 'b']) {
          expect(told).toContainEqual({ to, event: { type: 'peer.left', sessionId: sid, reason: 'disconnect' } });
        }
      }));

    test('a system close naming a non-member, or of an unknown session, changes nothing', () =>
      with_(async (h) => {
        await h.matcher.claim(ticket(h, 'a'));
        const sid = matched(await h.matcher.claim(ticket(h, 'b')))?.sessionId ?? '';
        expect(await h.matcher.close(sid, { system: 'livekit', member: 'mallory' }, 'disconnect')).toBeNull();
        expect(await h.matcher.close('no-such-session', { system: 'livekit' }, 'disconnect')).toBeNull();
        await settle();
        expect(h.events.filter((e) => e.event.type === 'peer.left' || e.event.type === 'media.left')).toEqual([]);
        expect(await h.matcher.close(sid, 'a', 'end')).toMatchObject({ sessionId: sid, endedBy: 'a', reason: 'end' });
      }));

    test('a member’s close racing a system close closes the session once', () =>
      with_(async (h) => {
        await h.matcher.claim(ticket(h, 'a'));
        const sid = matched(await h.matcher.claim(ticket(h, 'b')))?.sessionId ?? '';
        const results = await Promise.all([
          h.matcher.close(sid, 'a', 'skip'),
          h.matcher.close(sid, { system: 'livekit', member: 'a' }, 'disconnect'),
          h.matcher.close(sid, { system: 'livekit' }, 'disconnect'),
        ]);
        expect(results.filter(Boolean)).toHaveLength(1);
      }));

    test('users who skipped each other are kept apart while others wait', () =>
      with_(async (h) => {
        await h.matcher.claim(ticket(h, 'a'));
        const sid = matched(await h.matcher.claim(ticket(h, 'b')))?.sessionId ?? '';
        await h.matcher.close(sid, 'a', 'skip');
        await h.matcher.claim(ticket(h, 'a'));
        // Only the two of them: not at once, but once both have waited the fallback time.
        const again = await h.matcher.claim(ticket(h, 'b'));
        expect(again).toEqual({ kind: 'queued', retryInMs: FALLBACK_MS });
        // Someone else arrives: they take the longest waiting, "a"; "b" waits for someone new.
        expect(matched(await h.matcher.claim(ticket(h, 'c')))?.partnerId).toBe('a');
        await h.matcher.claim(ticket(h, 'd', { mode: 'text' }));
        expect(matched(await h.matcher.claim(ticket(h, 'e')))?.partnerId).toBe('b');
      }));

    test('a claim closes the session its user leaves first (a skip in one call), then pairs it anew', () =>
      with_(async (h) => {
        await h.matcher.claim(ticket(h, 'a'));
        const sid = matched(await h.matcher.claim(ticket(h, 'b')))?.sessionId ?? '';
        await h.matcher.claim(ticket(h, 'c'));
        h.clock.now += 1;
        const r = await h.matcher.claim(ticket(h, 'a', { closing: { sessionId: sid, reason: 'skip' } }));
        // Closed as a skip (the partner told, the end journaled), then paired with the one waiting.
        expect(r.ended).toEqual([expect.objectContaining({ sessionId: sid, endedBy: 'a', reason: 'skip' })]);
        expect(matched(r)?.partnerId).toBe('c');
        await settle();
        expect(h.events).toContainEqual({ to: 'b', event: { type: 'peer.left', sessionId: sid, reason: 'skip' } });
        expect(await h.matcher.close(sid, 'b', 'skip')).toBeNull();
        const ends = (await h.journal.read(100)).map((x) => x.entry).filter((e) => e?.kind === 'ended');
        expect(ends).toEqual([expect.objectContaining({ session: expect.objectContaining({ sessionId: sid }) })]);
        // As after close(): the two who just parted are kept apart while someone else waits.
        await h.matcher.claim(ticket(h, 'd', { mode: 'text' }));
        await h.matcher.claim(ticket(h, 'x'));
        expect(matched(await h.matcher.claim(ticket(h, 'b')))?.partnerId).toBe('x');
      }));

    test('a claim asked to close a session its user is not in, or one closed already, closes nothing', () =>
      with_(async (h) => {
        await h.matcher.claim(ticket(h, 'a'));
        const sid = matched(await h.matcher.claim(ticket(h, 'b')))?.sessionId ?? '';
        const r = await h.matcher.claim(ticket(h, 'mallory', { closing: { sessionId: sid, reason: 'skip' } }));
        expect(r).toEqual({ kind: 'queued', retryInMs: null });
        await settle();
        expect(h.events.filter((e) => e.event.type === 'peer.left')).toEqual([]);
        expect(await h.matcher.close(sid, 'a', 'end')).not.toBeNull();
        h.clock.now += 1;
        const late = await h.matcher.claim(ticket(h, 'b', { closing: { sessionId: sid, reason: 'skip' } }));
        expect(late.ended).toBeUndefined();
      }));

    test('with nobody else waiting, skipped partners meet again after the fallback time', () =>
      with_(async (h) => {
        await h.matcher.claim(ticket(h, 'a'));
        const sid = matched(await h.matcher.claim(ticket(h, 'b')))?.sessionId ?? '';
        await h.matcher.close(sid, 'b', 'skip');
        const since = h.clock.now;
        await h.matcher.claim(ticket(h, 'a', { since }));
        await h.matcher.claim(ticket(h, 'b', { since }));
        h.clock.now += FALLBACK_MS;
        expect(matched(await h.matcher.claim(ticket(h, 'b', { since })))?.partnerId).toBe('a');
      }));

    test('a report blocks the pair for good, even when alone', () =>
      with_(async (h) => {
        await h.matcher.claim(ticket(h, 'a'));
        const sid = matched(await h.matcher.claim(ticket(h, 'b')))?.sessionId ?? '';
        await h.matcher.close(sid, 'b', 'report');
        await h.matcher.claim(ticket(h, 'a'));
        h.clock.now += COOLDOWN_MS * 2;
        const r = await h.matcher.claim(ticket(h, 'b', { since: h.clock.now - FALLBACK_MS }));
        expect(r.kind).toBe('queued');
      }));

    test('leave takes a waiting user out of the queue; a newer connection is left alone', () =>
      with_(async (h) => {
        await h.matcher.claim(ticket(h, 'a'));
        expect(await h.matcher.leave('a', 'some-older-conn', 'disconnect')).toBeNull();
        expect((await h.matcher.beat(1)).waiting).toBe(1);
        expect(await h.matcher.leave('a', 'c-a', 'disconnect')).toBeNull();
        expect((await h.matcher.beat(1)).waiting).toBe(0);
        expect((await h.matcher.claim(ticket(h, 'b'))).kind).toBe('queued');
      }));

    test('leave closes the session and tells the partner', () =>
      with_(async (h) => {
        await h.matcher.claim(ticket(h, 'a'));
        const sid = matched(await h.matcher.claim(ticket(h, 'b')))?.sessionId ?? '';
        const closed = await h.matcher.leave('b', 'c-b', 'disconnect');
        expect(closed).toMatchObject({ sessionId: sid, endedBy: 'b', reason: 'disconnect' });
        await settle();
        expect(h.events).toContainEqual({
          to: 'a',
          event: { type: 'peer.left', sessionId: sid, reason: 'disconnect' },
        });
        // Disconnects leave no cooldown: they may meet again at once.
        await h.matcher.claim(ticket(h, 'a'));
        expect(matched(await h.matcher.claim(ticket(h, 'b')))?.partnerId).toBe('a');
      }));

    test('a retried claim during the same wait hands back the session it was claimed into', () =>
      with_(async (h) => {
        const ta = ticket(h, 'a');
        await h.matcher.claim(ta);
        const sid = matched(await h.matcher.claim(ticket(h, 'b')))?.sessionId;
        const r = await h.matcher.claim({ ...ta, sessionId: 'fresh' });
        expect(r.kind === 'matched' && !r.formed && r.session.sessionId).toBe(sid ?? 'x');
        expect(matched(r)?.partnerId).toBe('b');
      }));

    test('a new wait closes a session left over from before (one session per user)', () =>
      with_(async (h) => {
        await h.matcher.claim(ticket(h, 'a'));
        const sid = matched(await h.matcher.claim(ticket(h, 'b')))?.sessionId ?? '';
        h.clock.now += 1;
        const again = await h.matcher.claim(ticket(h, 'a'));
        expect(again.kind).toBe('queued');
        expect(again.ended).toEqual([expect.objectContaining({ sessionId: sid, endedBy: 'a', reason: 'disconnect' })]);
        await settle();
        expect(h.events).toContainEqual({
          to: 'b',
          event: { type: 'peer.left', sessionId: sid, reason: 'disconnect' },
        });
        expect(await h.matcher.close(sid, 'b', 'skip')).toBeNull();
      }));

    test('chat relays reach the partner', () =>
      with_(async (h) => {
        h.matcher.relay('p', 'test-instance', { type: 'peer.message', sessionId: 's', text: 'hi', at: 1 });
        await settle();
        expect(h.events).toContainEqual({
          to: 'p',
          event: { type: 'peer.message', sessionId: 's', text: 'hi', at: 1 },
        });
      }));

    test('1,000 users enqueueing at once form exactly 500 pairs, nobody twice, nobody with itself', () =>
      with_(async (h) => {
        const ids = Array.from({ length: 1000 }, (_, i) => `u${i}`);
        const results = await Promise.all(ids.map((id) => h.matcher.claim(ticket(h, id))));
        await settle(200);
        const pairs = new Map<string, Set<string>>();
        const add = (sid: string, u: string) => {
          const set = pairs.get(sid) ?? new Set<string>();
          set.add(u);
          pairs.set(sid, set);
        };
        results.forEach((r, i) => {
          if (r.kind === 'matched') add(r.session.sessionId, ids[i] as string);
        });
        for (const e of h.events) if (e.event.type === 'queue.matched') add(e.event.session.sessionId, e.to);
        expect(pairs.size).toBe(500);
        const seen = new Set<string>();
        for (const members of pairs.values()) {
          expect(members.size).toBe(2);
          for (const m of members) {
            expect(seen.has(m)).toBe(false);
            seen.add(m);
          }
        }
        expect(seen.size).toBe(1000);
        expect((await h.matcher.beat(0)).waiting).toBe(0);
      }));

    test('each session formed and closed is journaled once, start and end, in the same step', () =>
      with_(async (h) => {
        await h.matcher.claim(ticket(h, 'j1'));
        const s = matched(await h.matcher.claim(ticket(h, 'j2')));
        const sid = s?.sessionId ?? 'x';
        h.clock.now += 500;
        expect(await h.matcher.close(sid, 'j2', 'skip')).not.toBeNull();
        expect(await h.matcher.close(sid, 'j1', 'skip')).toBeNull(); // closed once
        const records = await h.journal.read(100);
        expect(records.map((r) => r.entry)).toEqual([
          {
            kind: 'started',
            session: { sessionId: sid, userA: 'j1', userB: 'j2', mode: 'video', startedAt: h.clock.now - 500 },
          },
          {
            kind: 'ended',
            session: {
              ...{ sessionId: sid, userA: 'j1', userB: 'j2', mode: 'video', startedAt: h.clock.now - 500 },
              ...{ endedAt: h.clock.now, endedBy: 'j2', reason: 'skip' },
            },
          },
        ]);
        await h.journal.ack(records.map((r) => r.id));
        expect(await h.journal.read(100)).toEqual([]);
        // A leave closes too, and journals that end.
        await h.matcher.claim(ticket(h, 'j3'));
        const s2 = matched(await h.matcher.claim(ticket(h, 'j4')));
        await h.matcher.leave('j3', 'c-j3', 'disconnect');
        const ends = (await h.journal.read(100)).map((r) => r.entry).filter((e) => e?.kind === 'ended');
        expect(ends).toMatchObject([{ session: { sessionId: s2?.sessionId, endedBy: 'j3', reason: 'disconnect' } }]);
      }));
  });
}
