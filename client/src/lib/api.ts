/**
 * The HTTP side of getting in (the WebSocket is socket.ts): the entry check, the 18+ confirmation
 * and the bot check's answer. Same origin, so the device cookie goes along by itself.
 */
import { decodeEntry, type Entry } from './entry.ts';

/** How the server took a bot-check answer: `failed` is no answer at all (network, server error). */
export type ChallengeOutcome = 'ok' | 'invalid' | 'expired' | 'replayed' | 'failed';

const json = { 'Content-Type': 'application/json' };

/** The entry, or null when the server did not give one (down, or too old to know the route). */
export async function fetchEntry(): Promise<Entry | null> {
  try {
    const res = await fetch('/api/entry', { headers: { Accept: 'application/json' }, cache: 'no-store' });
    return res.ok ? decodeEntry(await res.json()) : null;
  } catch {
    return null;
  }
}

/** Tells the server this device confirmed it is 18+; false when that did not reach it. */
export async function confirmAdult(): Promise<boolean> {
  try {
    return (await fetch('/api/entry/adult', { method: 'POST', headers: json, body: '{}' })).status === 204;
  } catch {
    return false;
  }
}

export async function submitChallenge(payload: string): Promise<ChallengeOutcome> {
  try {
    const res = await fetch('/api/entry/challenge', {
      method: 'POST',
      headers: json,
      body: JSON.stringify({ payload }),
    });
    if (res.status === 204) return 'ok';
    const body = (await res.json().catch(() => null)) as { error?: unknown } | null;
    const error = body?.error;
    return error === 'invalid' || error === 'expired' || error === 'replayed' ? error : 'failed';
  } catch {
    return 'failed';
  }
}
