import { describe, expect, test } from 'bun:test';
import type { ServerFrame } from '../../../server/src/protocol.ts';
import { unknownEntry } from './entry.ts';
import { MAX_CHALLENGE_ATTEMPTS } from './gate.ts';
import { admitted, frame, hello, kinds, matchedText, open, run, sends } from './harness.ts';
import { type Event, initialState, type State } from './state.ts';

const v1 = { algorithm: 'SHA-256', challenge: 'c', maxnumber: 1000, salt: 's', signature: 'x' };
const entry = (over: Partial<ReturnType<typeof unknownEntry>> = {}): Event => ({
  type: 'entry',
  entry: { ...unknownEntry(), ...over },
});
const fresh = (): State => ({ ...initialState(), shield: { ...initialState().shield, on: false } });
const start: Event = { type: 'start', wish: { mode: 'text', interests: ['cats'] } };
const err = (code: string, retryAfterMs?: number, now = 1000): Event =>
  frame({ type: 'error', code, message: `m-${code}`, ...(retryAfterMs ? { retryAfterMs } : {}) } as ServerFrame, now);

describe('entry and the 18+ gate', () => {
  test('boot asks the server first; a clean answer connects; nothing starts before the 18+ confirmation', () => {
    expect(run([{ type: 'boot' }], fresh()).commands).toEqual([{ kind: 'fetchEntry' }]);
    const { state, commands } = run([entry(), open, hello(), start], fresh());
    expect(kinds(commands)).toEqual(['connect']);
    expect(state.gate).toMatchObject({ checked: true, adult: false });
    const confirmed = run([{ type: 'confirmAdult' }, start], state);
    expect(kinds(confirmed.commands)).toEqual(['confirmAdult', 'send']);
    expect(sends(confirmed.commands)).toEqual([{ type: 'enqueue', mode: 'text', interests: ['cats'] }]);
    expect(run([{ type: 'confirmAdult' }], confirmed.state).commands).toEqual([]);
  });

  test('a device the server knows as adult skips the gate; once confirmed here it stays so', () => {
    expect(run([entry({ adult: true })], fresh()).state.gate.adult).toBe(true);
    const confirmed = run([entry(), { type: 'confirmAdult' }, entry()], fresh());
    expect(confirmed.state.gate.adult).toBe(true);
  });

  test('no answer at boot (an older server) still connects; no answer after a refusal changes nothing', () => {
    const boot = run([{ type: 'entry', entry: null }], fresh());
    expect(kinds(boot.commands)).toEqual(['connect']);
    expect(boot.state.gate.checked).toBe(true);
    const later = run([{ type: 'entry', entry: null, refused: true }], admitted());
    expect(later).toEqual({ state: admitted(), commands: [] });
  });

  test('the safe-mode settings come with the entry', () => {
    const safeMode = { unsafe: ['Porn'], threshold: 0.9 };
    expect(run([entry({ safeMode })], fresh()).state.gate.safeConfig).toEqual(safeMode);
  });
});

describe('bans', () => {
  test('a banned entry shows the ban and does not connect', () => {
    const { state, commands } = run([entry({ banned: { until: 5000, reason: 'spam' } })], fresh());
    expect(state.gate.banned).toEqual({ until: 5000, reason: 'spam' });
    expect(commands).toEqual([]);
  });

  test('banned after hello: until now + retryAfterMs, or for good; nothing starts then', () => {
    const timed = run([open, hello(), err('banned', 60_000, 1000), start]);
    expect(timed.state.gate.banned).toEqual({ until: 61_000, reason: 'm-banned' });
    expect(sends(timed.commands)).toEqual([]);
    expect(run([open, hello(), err('banned')]).state.gate.banned).toEqual({ until: null, reason: 'm-banned' });
  });
});

describe('the bot check', () => {
  test('a challenge is solved (with progress), and a good answer connects', () => {
    const asked = run([entry({ challenge: v1 })], fresh());
    expect(asked.commands).toEqual([{ kind: 'solve', task: { kind: 'v1', challenge: v1, max: 1000 } }]);
    expect(asked.state.gate.challenge).toMatchObject({ status: 'solving', share: 0 });
    const going = run([{ type: 'solveProgress', tried: 500, share: 0.5 }], asked.state);
    expect(going.state.gate.challenge).toMatchObject({ tried: 500, share: 0.5 });
    const done = run([{ type: 'solved', outcome: 'ok' }], going.state);
    expect(kinds(done.commands)).toEqual(['connect']);
    expect(done.state.gate.challenge).toBeNull();
  });

  test('an expired or replayed answer asks for a fresh challenge; an invalid one stops with a retry', () => {
    const asked = run([entry({ challenge: v1 })], fresh()).state;
    for (const outcome of ['expired', 'replayed'] as const)
      expect(run([{ type: 'solved', outcome }], asked).commands).toEqual([{ kind: 'fetchEntry' }]);
    const bad = run([{ type: 'solved', outcome: 'invalid' }], asked);
    expect(bad.state.gate.challenge).toMatchObject({ status: 'failed', error: 'The check did not pass.' });
    expect(run([{ type: 'retryChallenge' }], bad.state).commands).toEqual([{ kind: 'fetchEntry' }]);
  });

  test('a challenge this page cannot solve fails at once; a server that keeps asking is not asked forever', () => {
    const odd = run([entry({ challenge: { parameters: { algorithm: 'ARGON2ID' } } })], fresh());
    expect(odd.commands).toEqual([]);
    expect(odd.state.gate.challenge?.status).toBe('failed');
    let s = fresh();
    for (let i = 0; i < MAX_CHALLENGE_ATTEMPTS; i++)
      s = run([entry({ challenge: v1 }), { type: 'solved', outcome: 'ok' }], s).state;
    const again = run([entry({ challenge: v1 })], s);
    expect(again.commands).toEqual([]);
    expect(again.state.gate.challenge?.error).toContain('keeps asking');
    expect(run([open, hello()], s).state.gate.attempts).toBe(0);
  });

  test('a refusal while a check is being solved does not start a second one', () => {
    const asked = run([entry({ challenge: v1 })], fresh()).state;
    expect(
      run([{ type: 'entry', entry: { ...unknownEntry(), challenge: v1 }, refused: true }], asked).commands,
    ).toEqual([]);
  });
});

describe('the skip limit', () => {
  const inText = () => run([open, hello(), start, frame({ type: 'waiting', since: 1 }), matchedText()]).state;

  test('refused after a skip: a cool-down, back in the queue by itself when it ends, with the same wish', () => {
    const skipped = run(
      [
        { type: 'skip' },
        frame({ type: 'ended', sessionId: 's1', reason: 'skip' }),
        err('rate_limited', 12_000, 5000),
        frame({ type: 'idle' }),
      ],
      inText(),
    );
    expect(skipped.state.cooldown).toEqual({ until: 17_000, wish: { mode: 'text', interests: ['cats'] } });
    expect(skipped.commands.at(-1)).toEqual({ kind: 'after', ms: 12_000, event: 'cooldownOver' });
    expect(skipped.state.notice).toBeNull();
    expect(run([{ type: 'cooldownOver', now: 9000 }], skipped.state).commands).toEqual([]); // an older timer
    const over = run([{ type: 'cooldownOver', now: 17_000 }], skipped.state);
    expect(sends(over.commands)).toEqual([{ type: 'enqueue', mode: 'text', interests: ['cats'] }]);
    expect(over.state.cooldown).toBeNull();
    const cancelled = run([{ type: 'cancelCooldown' }, { type: 'cooldownOver', now: 17_000 }], skipped.state);
    expect(cancelled.commands).toEqual([]);
    expect(cancelled.state.cooldown).toBeNull();
  });

  test('refused right after an enqueue is the same cool-down; a flood of chat lines is only a notice', () => {
    const refused = run([open, hello(), start, err('rate_limited', 3000)]);
    expect(refused.state.cooldown?.until).toBe(4000);
    const flood = run([err('rate_limited', 1000)], { ...inText(), queueAsk: false });
    expect(flood.state.cooldown).toBeNull();
    expect(flood.state.notice).toContain('Slow down');
  });
});
