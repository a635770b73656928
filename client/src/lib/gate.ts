/**
 * Getting in, reduced: the entry check at boot and after a refused connection, the 18+
 * confirmation, the bot check and the server's verdict on it, and the skip limit's cool-down.
 * Pure like the reducer: HTTP, workers and timers are commands.
 */
import type { ChallengeOutcome } from './api.ts';
import type { Entry } from './entry.ts';
import { readChallenge } from './pow/altcha.ts';
import { type Challenge, type Command, enqueue, type GateEvent, type State } from './state.ts';

/** Bot checks in a row without getting in, after which the page stops and asks the user. */
export const MAX_CHALLENGE_ATTEMPTS = 3;

const OUTCOME_TEXT: Record<Exclude<ChallengeOutcome, 'ok' | 'expired' | 'replayed'>, string> = {
  invalid: 'The check did not pass.',
  failed: 'The server did not answer.',
};

export function gate(s: State, e: GateEvent, out: Command[]): State {
  switch (e.type) {
    case 'boot':
      out.push({ kind: 'fetchEntry' });
      return s;
    case 'entry':
      return entered(s, e.entry, e.refused === true, out);
    case 'confirmAdult':
      if (s.gate.adult) return s;
      out.push({ kind: 'confirmAdult' });
      return { ...s, gate: { ...s.gate, adult: true } };
    case 'solveProgress': {
      const c = s.gate.challenge;
      return c?.status === 'solving' ? withChallenge(s, { ...c, tried: e.tried, share: e.share }) : s;
    }
    case 'solved':
      return solved(s, e.outcome, e.error ?? null, out);
    case 'retryChallenge':
      out.push({ kind: 'fetchEntry' });
      return { ...s, gate: { ...s.gate, attempts: 0, challenge: null } };
    case 'cooldownOver': {
      // An earlier timer of a cool-down that was extended since: the later timer ends it.
      if (!s.cooldown || e.now < s.cooldown.until - 50) return s;
      const next = { ...s, cooldown: null };
      return next.link === 'open' && next.phase === 'idle' ? enqueue(next, s.cooldown.wish, out) : next;
    }
    case 'cancelCooldown':
      return { ...s, cooldown: null, afterEnd: false };
  }
}

const withChallenge = (s: State, challenge: Challenge | null): State => ({ ...s, gate: { ...s.gate, challenge } });

function entered(s: State, entry: Entry | null, refused: boolean, out: Command[]): State {
  if (!entry) {
    // No answer: after a refused socket that is an outage (the socket keeps retrying); at boot an
    // older server without the route, so connect and let the WebSocket speak for itself.
    if (refused) return s;
    out.push({ kind: 'connect' });
    return { ...s, gate: { ...s.gate, checked: true } };
  }
  // Once confirmed on this page, it stays confirmed even if the server did not keep it.
  const adult = s.gate.adult || entry.adult;
  let next: State = {
    ...s,
    gate: { ...s.gate, checked: true, adult, banned: entry.banned, safeConfig: entry.safeMode },
  };
  if (entry.banned) return withChallenge(next, null);
  if (entry.challenge) return s.gate.challenge?.status === 'solving' ? next : challenge(next, entry.challenge, out);
  next = withChallenge(next, null);
  if (!refused) out.push({ kind: 'connect' });
  return next;
}

function challenge(s: State, raw: Record<string, unknown>, out: Command[]): State {
  const attempts = s.gate.attempts + 1;
  const task = readChallenge(raw);
  const base: Challenge = { task, status: 'solving', tried: 0, share: task?.max ? 0 : null, error: null };
  const next = { ...s, gate: { ...s.gate, attempts } };
  if (!task) {
    return withChallenge(next, { ...base, status: 'failed', error: 'This check is not one this page can solve.' });
  }
  if (attempts > MAX_CHALLENGE_ATTEMPTS) {
    return withChallenge(next, { ...base, status: 'failed', error: 'The server keeps asking for the check.' });
  }
  out.push({ kind: 'solve', task });
  return withChallenge(next, base);
}

function solved(s: State, outcome: ChallengeOutcome, error: string | null, out: Command[]): State {
  const c = s.gate.challenge;
  if (c?.status !== 'solving') return s;
  if (outcome === 'ok') {
    out.push({ kind: 'connect' });
    return withChallenge(s, null);
  }
  if (outcome === 'expired' || outcome === 'replayed') {
    // Too slow, or used twice (another tab): ask for a fresh one.
    out.push({ kind: 'fetchEntry' });
    return withChallenge(s, null);
  }
  return withChallenge(s, { ...c, status: 'failed', error: error ?? OUTCOME_TEXT[outcome] });
}
