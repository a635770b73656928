/**
 * Every transition of the session machine, generated from the machine itself: xstate's graph
 * utilities find every reachable state, every event each state accepts is taken there with the
 * pure `transition()`, and the outcome is checked against PROTOCOL.md written as an oracle below.
 * A coverage test proves each transition the machine defines was exercised.
 * The timers are then run for real on an actor with a simulated clock (timers.test.ts).
 */
import { describe, expect, test } from 'bun:test';
import { type AnyMachineSnapshot, initialTransition, transition } from 'xstate';
import { getShortestPaths, toDirectedGraph } from 'xstate/graph';
import type { SessionInfo } from '../ports.ts';
import { type SessionEvent, sessionMachine } from './machine.ts';

const session = (sessionId: string): SessionInfo => ({
  sessionId,
  mode: 'video',
  partnerId: 'u_partner',
  partnerDevice: 'd_partner',
  partnerInstance: 'i1',
  commonInterests: [],
  startedAt: 0,
});

const SID_FRAMES = ['ready', 'message', 'typing', 'skip', 'end', 'report'] as const;

function clientFrame(kind: (typeof SID_FRAMES)[number], sessionId: string): SessionEvent {
  switch (kind) {
    case 'message':
      return { type: 'client.message', sessionId, text: 'hi' };
    case 'typing':
      return { type: 'client.typing', sessionId, typing: true };
    case 'report':
      return { type: 'client.report', sessionId, reason: 'rude' };
    default:
      return { type: `client.${kind}`, sessionId };
  }
}

/** Every event the outside world can send, shaped for the state (current or stale session id). */
function eventsFor(snap: AnyMachineSnapshot): SessionEvent[] {
  const sid: string = snap.context.session?.sessionId ?? 's1';
  const seq: number = snap.context.seq;
  const internal = (type: string) => ({ type }) as unknown as SessionEvent;
  return [
    { type: 'client.enqueue', mode: 'video', interests: [] },
    { type: 'client.cancel' },
    { type: 'client.ping', t: 1 },
    ...SID_FRAMES.map((k) => clientFrame(k, sid)),
    ...SID_FRAMES.map((k) => clientFrame(k, 'stale')),
    { type: 'queue.matched', session: session('s1'), since: snap.context.since },
    // Taken from a wait this user has since left: never accepted (no case is generated for it).
    { type: 'queue.matched', session: session('s1'), since: snap.context.since - 1 },
    { type: 'session.connected', sessionId: sid },
    { type: 'peer.left', sessionId: sid, reason: 'skip' },
    { type: 'media.left', sessionId: sid },
    { type: 'peer.message', sessionId: sid, text: 'yo', at: 5 },
    { type: 'peer.typing', sessionId: sid, typing: false },
    { type: 'peer.moved', sessionId: sid, instance: 'i2' },
    { type: 'session.handedOver', sessionId: sid, instance: 'i2' },
    { type: 'session.adopted', session: session('s1') },
    { type: 'socket.closed' },
    { type: 'socket.resumed' },
    { type: 'queue.recheck' },
    { type: 'heartbeat.check' },
    { type: 'server.shutdown' },
    { type: 'moderation.banned' },
    { type: 'claim.done', seq, result: { kind: 'matched', session: session('s1'), formed: true } },
    { type: 'claim.done', seq, result: { kind: 'queued', retryInMs: 1000 } },
    { type: 'claim.done', seq, result: { kind: 'queued', retryInMs: null } },
    { type: 'claim.done', seq, result: { kind: 'limited', retryInMs: 1500 } },
    { type: 'claim.failed', seq },
    internal('xstate.after.readyTimeout.user.paired.matched'),
    internal('xstate.after.retryClaim.user.waiting.deferred'),
    internal('xstate.after.resumeGrace.user.suspended'),
    internal('xstate.after.mediaSettle.user.mediaLost'),
  ];
}

/** "waiting.queued", "paired.matched", … */
function where(snap: AnyMachineSnapshot): string {
  const v = snap.value as string | Record<string, string>;
  return typeof v === 'string' ? v : (Object.entries(v).map(([k, c]) => `${k}.${c}`)[0] ?? '');
}

function eventName(e: SessionEvent, snap: AnyMachineSnapshot): string {
  const raw = e as unknown as { type: string; sessionId?: string; output?: { kind?: string } | null };
  if (raw.sessionId !== undefined && raw.type.startsWith('client.')) {
    return `${raw.type}(${raw.sessionId === snap.context.session?.sessionId ? 'current' : 'stale'})`;
  }
  const result = (e as { result?: { kind: string; retryInMs?: number | null } }).result;
  if (raw.type === 'claim.done') {
    return `claim.done (${result?.kind}${result?.retryInMs != null ? ', retry later' : ''})`;
  }
  return raw.type.replace(/^xstate\.after\.(\w+)\..*/, 'after $1').replace(/^xstate\./, '');
}

const EFFECTS = [
  'markReady',
  'relay',
  'fileReport',
  'closeInBackground',
  'closeSocket',
  'release',
  'matchFound',
  'startClaim',
];

/** What the actions of a transition did, as the protocol sees it: frames sent and effects started. */
function observed(actions: { type: string; params?: unknown }[]): string[] {
  const out: string[] = [];
  for (const a of actions) {
    if (a.type === 'emit') {
      const f = a.params as { type: string; code?: string };
      out.push(f.type === 'error' ? `error:${f.code}` : f.type);
    } else if (a.type === 'emitMatched') out.push('matched');
    else if (a.type === 'emitBanned') out.push('error:banned');
    else if (a.type === 'leave') out.push(`leave:${a.params}`);
    else if (a.type === 'startClaim' && (a.params as { closing?: { reason: string } } | undefined)?.closing) {
      out.push(`startClaim+close:${(a.params as { closing: { reason: string } }).closing.reason}`);
    } else if (EFFECTS.includes(a.type)) out.push(a.type);
    else if (a.type === 'xstate.raise' && (a.params as { event: { type: string } }).event.type === 'heartbeat.check') {
      out.push('checkHeartbeatLater');
    }
  }
  return out;
}

interface Expect {
  to: string;
  does: string[];
}

const PAIRED = ['paired.matched', 'paired.inCall'];
const DISCONNECT = ['leave:disconnect', 'release'];
const REQUEUE = ['waiting', 'startClaim'];

/** PROTOCOL.md as a function: what must happen when `event` reaches a user in state `from`. */
function oracle(from: string, event: string, overtaken: string | null): Expect {
  const stay = (...does: string[]): Expect => ({ to: from, does });
  // `skipped` is a wait whose claim (which also closes the session left) is in flight.
  const inWaiting = from.startsWith('waiting') || from === 'skipped';
  const claiming = from === 'waiting.claiming' || from === 'skipped';
  if (event === 'server.shutdown') return { to: 'disconnected', does: ['closeSocket', ...DISCONNECT] };
  // Banned just now: out of the queue and any session, told why, idle.
  if (event === 'moderation.banned') return { to: 'idle', does: ['leave:end', 'error:banned', 'idle'] };
  // The default binding reports frames as recent: the check only reschedules itself.
  if (event === 'heartbeat.check') return stay('checkHeartbeatLater');
  if (event === 'client.ping') return stay('pong');
  if (event === 'client.enqueue')
    return from === 'idle' ? { to: 'waiting.claiming', does: REQUEUE } : stay('error:bad_state');
  // A resume that another instance handed over: back in the session, with a fresh media grant.
  if (from === 'idle' && event === 'session.adopted') return { to: 'paired.matched', does: ['matched'] };
  // The partner resumed elsewhere: only where chat is relayed changes.
  if ((PAIRED.includes(from) || from === 'suspended') && event === 'peer.moved') return stay();
  // This user resumed elsewhere: let go without leaving (the session lives on there).
  if (PAIRED.includes(from) && event === 'session.handedOver')
    return { to: 'handedOver', does: ['closeSocket', 'release'] };
  if (from === 'suspended' && event === 'session.handedOver') return { to: 'handedOver', does: ['release'] };
  if (event === 'client.cancel')
    return inWaiting ? { to: 'idle', does: ['leave:end', 'idle'] } : stay('error:bad_state');
  if (event.endsWith('(stale)')) return stay('error:stale_session');
  if (event.endsWith('(current)')) {
    if (!PAIRED.includes(from)) return stay('error:stale_session');
    const kind = event.slice('client.'.length, event.indexOf('('));
    if (kind === 'ready') return stay('markReady');
    if (kind === 'message' || kind === 'typing') return stay('relay');
    if (kind === 'skip') return { to: 'skipped', does: ['ended', 'waiting', 'startClaim+close:skip'] };
    if (kind === 'report')
      return { to: 'skipped', does: ['fileReport', 'ended', 'waiting', 'startClaim+close:report'] };
    if (kind === 'end') return { to: 'idle', does: ['closeInBackground', 'ended', 'idle'] };
  }
  if (event === 'socket.closed') {
    if (PAIRED.includes(from)) return { to: 'suspended', does: [] };
    return { to: 'disconnected', does: DISCONNECT };
  }
  if (inWaiting) {
    if (event === 'queue.matched') return { to: 'paired.matched', does: ['matchFound', 'matched'] };
    if (event === 'socket.resumed') return stay('waiting');
    // A session we have not heard of yet ended: remembered, nothing said.
    if (event === 'peer.left') return stay();
    if (claiming) {
      // The partner left that session before our own claim result arrived: claim again, silently.
      if (event === 'claim.done (matched)' && overtaken === 's1')
        return { to: 'waiting.claiming', does: ['startClaim'] };
      if (event === 'claim.done (matched)') return { to: 'paired.matched', does: ['matchFound', 'matched'] };
      if (event === 'claim.done (queued)') return { to: 'waiting.queued', does: [] };
      if (event === 'claim.done (queued, retry later)') return { to: 'waiting.deferred', does: [] };
      if (event === 'claim.failed') return { to: 'idle', does: ['error:unavailable', 'idle'] };
      // Over its skip or enqueue limit: not queued, told when it may try again.
      if (event === 'claim.done (limited, retry later)') return { to: 'idle', does: ['error:rate_limited', 'idle'] };
    }
    if (from !== 'skipped' && (event === 'after retryClaim' || event === 'queue.recheck'))
      return { to: 'waiting.claiming', does: ['startClaim'] };
  }
  if (PAIRED.includes(from)) {
    if (event === 'peer.left') return { to: 'waiting.claiming', does: ['peerLeft', ...REQUEUE] };
    // Our own media left and the system closed the session: wait a moment for the socket to follow.
    if (event === 'media.left') return { to: 'mediaLost', does: [] };
    if (event === 'peer.message') return stay('message');
    if (event === 'peer.typing') return stay('typing');
    if (event === 'socket.resumed') return { to: 'paired.matched', does: ['matched'] };
    if (from === 'paired.matched' && event === 'session.connected') return { to: 'paired.inCall', does: ['connected'] };
    if (from === 'paired.matched' && event === 'after readyTimeout')
      return { to: 'skipped', does: ['peerLeft', 'waiting', 'startClaim+close:timeout'] };
  }
  if (from === 'mediaLost' && event === 'after mediaSettle') {
    return { to: 'waiting.claiming', does: ['peerLeft', ...REQUEUE] };
  }
  if (from === 'suspended') {
    if (event === 'after resumeGrace' || event === 'peer.left' || event === 'media.left') {
      return { to: 'disconnected', does: DISCONNECT };
    }
    if (event === 'socket.resumed') return { to: 'paired.matched', does: ['matched'] };
  }
  return { to: `(no transition for ${event} in ${from})`, does: [] };
}

const input = { userId: 'u1', conn: 'c1', device: 'd1', ipHash: 'a1' };
const key = (snap: AnyMachineSnapshot) =>
  JSON.stringify([
    snap.value,
    snap.context.session?.sessionId ?? null,
    snap.context.closing?.reason ?? null,
    snap.context.overtaken,
  ]);
const paths = getShortestPaths(sessionMachine, { input, events: eventsFor, serializeState: (s) => key(s) });

interface Case {
  name: string;
  from: AnyMachineSnapshot;
  event: SessionEvent;
}

const cases: Case[] = [];
const seen = new Set<string>();
for (const path of paths) {
  const from = path.state as AnyMachineSnapshot;
  if (from.status !== 'active') continue;
  for (const event of eventsFor(from)) {
    if (!from.can(event)) continue;
    const name = `${where(from)} --${eventName(event, from)}-->`;
    const id = `${key(from)} ${name}`;
    if (seen.has(id)) continue;
    seen.add(id);
    cases.push({ name: from.context.overtaken ? `${name} (a leave overtook the claim)` : name, from, event });
  }
}

/** A transition's identity, stable across `provide()` copies of the machine. */
function transitionId(t: unknown): string {
  const d = t as { source: { id: string }; eventType: string; target?: { id: string }[]; guard?: unknown };
  const guard = typeof d.guard === 'object' && d.guard ? (d.guard as { type?: string }).type : d.guard;
  return `${d.source.id} on ${d.eventType} -> ${(d.target ?? []).map((n) => n.id).join(',')} [${String(guard ?? '')}]`;
}

describe('session machine: every transition, generated from the machine', () => {
  const taken = new Set<string>();
  const take = (machine: typeof sessionMachine, from: AnyMachineSnapshot, event: SessionEvent) => {
    for (const t of machine.getTransitionData(from as never, event as never)) taken.add(transitionId(t));
  };

  test('the graph reaches every state of the protocol', () => {
    const states = new Set(paths.map((p) => where(p.state as AnyMachineSnapshot)));
    for (const s of [
      'idle',
      'waiting.claiming',
      'waiting.queued',
      'waiting.deferred',
      'paired.matched',
      'paired.inCall',
      'skipped',
      'suspended',
      'mediaLost',
      'disconnected',
    ]) {
      expect(states).toContain(s);
    }
  });

  for (const c of cases) {
    test(c.name, () => {
      const [next, actions] = transition(sessionMachine, c.from as never, c.event as never);
      take(sessionMachine, c.from, c.event);
      const want = oracle(where(c.from), eventName(c.event, c.from), c.from.context.overtaken);
      expect({ to: where(next as AnyMachineSnapshot), does: observed(actions as never) }).toEqual(want);
    });
  }

  test('idle --client.enqueue--> a banned user is refused with banned and stays idle', () => {
    const banned = sessionMachine.provide({ guards: { isBanned: () => true } });
    const [idle] = initialTransition(banned, input) as unknown as [AnyMachineSnapshot];
    const event: SessionEvent = { type: 'client.enqueue', mode: 'text', interests: [] };
    const [next, actions] = transition(banned, idle as never, event as never);
    take(banned, idle, event);
    expect({ to: where(next as AnyMachineSnapshot), does: observed(actions as never) }).toEqual({
      to: 'idle',
      does: ['error:banned'],
    });
  });

  test('a silent user is disconnected by the heartbeat check, except while suspended', () => {
    const silent = sessionMachine.provide({ guards: { heartbeatSilent: () => true } });
    const [idle] = initialTransition(silent, input) as unknown as [AnyMachineSnapshot];
    const event: SessionEvent = { type: 'heartbeat.check' };
    const [next, actions] = transition(silent, idle as never, event as never);
    take(silent, idle, event);
    expect({ to: where(next as AnyMachineSnapshot), does: observed(actions as never) }).toEqual({
      to: 'disconnected',
      does: ['closeSocket', ...DISCONNECT],
    });
    expect((next as AnyMachineSnapshot).status).toBe('done');
    const suspended = paths.find((p) => where(p.state as AnyMachineSnapshot) === 'suspended')?.state;
    take(silent, suspended as AnyMachineSnapshot, event);
    const [still] = transition(silent, suspended as never, event as never);
    expect(where(still as AnyMachineSnapshot)).toBe('suspended');
  });

  test('a matcher result for an older call is ignored', () => {
    const claiming = paths.find((p) => where(p.state as AnyMachineSnapshot) === 'waiting.claiming')
      ?.state as AnyMachineSnapshot;
    const seq = claiming.context.seq - 1;
    const stale: SessionEvent = {
      type: 'claim.done',
      seq,
      result: { kind: 'matched', session: session('s9'), formed: true },
    };
    expect(claiming.can(stale)).toBe(false);
    const [next, actions] = transition(sessionMachine, claiming as never, stale as never);
    expect(where(next as AnyMachineSnapshot)).toBe('waiting.claiming');
    expect(actions).toEqual([]);
    const skipped = paths.find((p) => where(p.state as AnyMachineSnapshot) === 'skipped')?.state as AnyMachineSnapshot;
    expect(skipped.can({ type: 'claim.failed', seq: skipped.context.seq - 1 } as never)).toBe(false);
  });

  test('every transition the machine defines was exercised above', () => {
    const all: unknown[] = [];
    const walk = (node: ReturnType<typeof toDirectedGraph>) => {
      for (const e of node.edges) all.push(e.transition);
      for (const child of node.children) walk(child);
    };
    walk(toDirectedGraph(sessionMachine));
    const missed = all.map(transitionId).filter((id) => !taken.has(id));
    expect(missed).toEqual([]);
    expect(all.length).toBeGreaterThan(40);
  });
});
