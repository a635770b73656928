/**
 * The pairing cycle of `pairing`, `pair_breakpoint` and `soak`: an idle user enters the queue (an
 * arrival); once matched, both sides (optionally) send `ready`, then say who they are in a probe
 * line and echo the partner's probe (the message round trip). The side with the smaller user id
 * then sends `end` and goes back to the idle pool. The server re-queues its partner, as PROTOCOL.md
 * says; the partner, done too, cancels — unless the server matched it first, and then it talks on.
 * So `rate` arrivals/s make between rate/2 and rate pairs/s (a re-queued partner matched before its
 * cancel lands makes one more), and the queue holds only users who arrived.
 *
 * (A first version left the re-queued partner waiting for the next arrival. Every arrival that
 * found the queue momentarily empty then left one more user queued for good, so the queue grew to
 * the largest number of conversations ever in flight and time to match came to reflect history.)
 */
import type { ServerFrame } from '../../server/src/protocol.ts';
import { isEnder, parseLine, probe, reply } from './chat.ts';
import { type Behaviour, protocolError, tally, type User } from './client.ts';
import { Crowd } from './crowd.ts';
import { Guard, type GuardOptions } from './guard.ts';
import { droppedArrivals, messageRtt } from './metrics.ts';
import { Pacer, rateAt, type Stage, totalMs } from './schedule.ts';

/** One VU's share of the pairing cycle. */
export interface CycleOptions {
  targets: string[];
  /** Users this VU keeps connected (its idle pool and everyone in the queue or a session). */
  users: number;
  /** Sockets per second this VU opens at the start. */
  openRate: number;
  /** This VU's share of the arrivals (enqueues/s): stages over time, starting from `startRate`. */
  stages: Stage[];
  startRate: number;
  /** Send `ready` after `matched` and wait for `connected` before talking. */
  ready: boolean;
  /** Probe lines per side, each echoed by the partner; 0: one line with the user id, no echo. */
  chat: number;
  /** Interests sent with every enqueue ([] in a run of its own; smoke.ts separates scenarios). */
  interests: string[];
  /** A user reconnects (new socket, new actor) after this many sessions; 0: never. */
  reconnectEvery: number;
  /** Time after the arrivals stop for sessions to finish before every socket closes. */
  drainMs: number;
  /** When set, the VU declares overload (ending a ramp) once the service level stays broken. */
  guard: GuardOptions | null;
}

interface Talk {
  /** The server re-queued us (our partner ended): we cancel when its `waiting` comes. */
  requeued: boolean;
  partner: string;
  probesIn: number;
  repliesIn: number;
  sentAt: number[];
  sessions: number;
}

const fresh = (): Talk => ({ requeued: false, partner: '', probesIn: 0, repliesIn: 0, sentAt: [], sessions: 0 });

/** Runs the cycle in this VU until the stages are over, then drains and closes. */
export function runCycle(o: CycleOptions, vu: number): void {
  const lines = Math.max(1, o.chat);
  const echo = o.chat > 0;
  let guard: Guard | null = null;

  const talk = (user: User<Talk>) => {
    for (let seq = 0; seq < lines; seq++) {
      user.data.sentAt[seq] = Date.now();
      user.send({ type: 'message', sessionId: user.sessionId ?? '', text: probe(user.userId, seq) });
    }
  };
  const maybeEnd = (user: User<Talk>) => {
    const t = user.data;
    if (!t.partner || t.probesIn < lines || (echo && t.repliesIn < lines)) return;
    if (isEnder(user.userId, t.partner)) user.send({ type: 'end', sessionId: user.sessionId ?? '' });
  };
  const idleAgain = (user: User<Talk>) => {
    if (o.reconnectEvery > 0 && user.data.sessions >= o.reconnectEvery && !crowd.draining) crowd.replace(user);
    else crowd.release(user);
  };
  const onMessage = (user: User<Talk>, text: string, at: number) => {
    const line = parseLine(text);
    if (!line) return void protocolError('garbled_chat', text.slice(0, 60));
    if (line.kind === 'probe') {
      user.data.partner = line.userId;
      user.data.probesIn++;
      if (echo) user.send({ type: 'message', sessionId: user.sessionId ?? '', text: reply(line.seq) });
    } else {
      messageRtt.add(at - (user.data.sentAt[line.seq] ?? at));
      user.data.repliesIn++;
    }
    maybeEnd(user);
  };

  const behaviour: Behaviour<Talk> = {
    onFrame(user, frame: ServerFrame, at) {
      switch (frame.type) {
        case 'hello':
          return crowd.release(user);
        case 'matched':
          guard?.latency(at - user.queuedAt);
          user.data = { ...fresh(), sessions: user.data.sessions + 1 };
          if (o.ready) user.send({ type: 'ready', sessionId: frame.sessionId });
          else talk(user);
          return;
        case 'connected':
          return talk(user);
        case 'message':
          return onMessage(user, frame.text, at);
        case 'peerLeft':
          if (frame.reason !== 'end') protocolError(`peer_left_${frame.reason}`, user.userId);
          user.data.requeued = true;
          return;
        case 'waiting':
          if (user.data.requeued || crowd.draining) leave(user);
          user.data.requeued = false;
          return;
        case 'idle':
          return idleAgain(user);
        default:
          return;
      }
    },
  };
  // Draining: a queued user cancels (it may cross a match: then `bad_state`, and it talks on).
  const leave = (user: User<Talk>) => {
    // One cancel at a time: a second one, after the first succeeded, would be a real bad_state.
    if (user.phase !== 'waiting' || user.tolerate === 'bad_state') return;
    user.tolerate = 'bad_state';
    user.send({ type: 'cancel' });
  };
  const crowd = new Crowd<Talk>({ targets: o.targets, offset: vu, behaviour, data: fresh });
  if (o.guard) guard = new Guard(o.guard, (fn) => crowd.every(1000, fn));

  crowd.open(o.users, o.openRate, () => {
    const start = Date.now();
    const pacer = new Pacer((t) => rateAt(o.stages, o.startRate, t), start);
    const end = start + totalMs(o.stages);
    crowd.every(5, () => {
      const now = Date.now();
      if (now >= end || guard?.tripped) {
        if (!crowd.draining) crowd.finish(o.drainMs, leave);
        return;
      }
      for (let n = pacer.take(now); n > 0; n--) {
        const user = crowd.takeIdle();
        guard?.attempt(user !== undefined);
        if (user) user.enqueue(o.interests);
        else {
          droppedArrivals.add(1);
          tally.dropped++;
        }
      }
    });
  });
}
