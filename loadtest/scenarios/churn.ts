/**
 * churn: USERS users queue, get paired, send `ready`, chat (a line every CHAT_MIN–CHAT_MAX, each
 * echoed by the partner: the message round trip) and skip after SKIP_MIN–SKIP_MAX (each side
 * draws its own time; the first to fire skips), for DURATION. Both sides are re-queued by every
 * skip, so this is the steady, realistic mix; two skips that cross give `stale_session`, an
 * expected race counted apart from errors.
 */
import { clearInterval, clearTimeout, setInterval, setTimeout } from 'k6/timers';
import type { ServerFrame } from '../../server/src/protocol.ts';
import { parseLine, probe, reply } from '../lib/chat.ts';
import { type Behaviour, protocolError, type User } from '../lib/client.ts';
import { Crowd } from '../lib/crowd.ts';
import { ms, num, share, targets } from '../lib/env.ts';
import { messageRtt } from '../lib/metrics.ts';
import { buildOptions, CORRECT, perVu, vuIndex } from '../lib/options.ts';

export interface ChurnParams {
  targets: string[];
  vus: number;
  users: number;
  openRate: number;
  durationMs: number;
  skipMinMs: number;
  skipMaxMs: number;
  chatMinMs: number;
  chatMaxMs: number;
  drainMs: number;
  interests: string[];
}

export const params = (): ChurnParams => ({
  targets: targets(),
  vus: num('VUS', 4),
  users: num('USERS', 2000),
  openRate: num('OPEN_RATE', 1000),
  durationMs: ms('DURATION', '60s'),
  skipMinMs: ms('SKIP_MIN', '5s'),
  skipMaxMs: ms('SKIP_MAX', '30s'),
  chatMinMs: ms('CHAT_MIN', '1s'),
  chatMaxMs: ms('CHAT_MAX', '5s'),
  drainMs: ms('DRAIN', '5s'),
  interests: [],
});

const P = params();

export const options = buildOptions(
  { churn: perVu(P.vus, (P.users / P.openRate) * 1000 + P.durationMs + P.drainMs + 30_000) },
  CORRECT,
);

export default function (): void {
  churn(P);
}

interface Chatter {
  skipTimer: ReturnType<typeof setTimeout> | null;
  chatTimer: ReturnType<typeof setInterval> | null;
  seq: number;
  sentAt: Record<number, number>;
}

const between = (min: number, max: number) => min + Math.random() * (max - min);

export function churn(p: ChurnParams): void {
  const i = vuIndex();
  const quiet = (user: User<Chatter>) => {
    if (user.data.skipTimer !== null) clearTimeout(user.data.skipTimer);
    if (user.data.chatTimer !== null) clearInterval(user.data.chatTimer);
    user.data.skipTimer = null;
    user.data.chatTimer = null;
  };
  const say = (user: User<Chatter>) => {
    const seq = user.data.seq++;
    user.data.sentAt[seq] = Date.now();
    user.send({ type: 'message', sessionId: user.sessionId ?? '', text: probe(user.userId, seq) });
  };
  const onMessage = (user: User<Chatter>, text: string, at: number) => {
    const line = parseLine(text);
    if (!line) return void protocolError('garbled_chat', text.slice(0, 60));
    if (line.kind === 'probe') user.send({ type: 'message', sessionId: user.sessionId ?? '', text: reply(line.seq) });
    else {
      messageRtt.add(at - (user.data.sentAt[line.seq] ?? at));
      delete user.data.sentAt[line.seq];
    }
  };
  const behaviour: Behaviour<Chatter> = {
    onFrame(user, frame: ServerFrame, at) {
      switch (frame.type) {
        case 'hello':
          if (!crowd.draining) user.enqueue(p.interests);
          return;
        case 'matched': {
          // A match that crossed a draining user's cancel: end it at once (the partner re-queues, then cancels).
          if (crowd.draining) return user.send({ type: 'end', sessionId: frame.sessionId });
          user.send({ type: 'ready', sessionId: frame.sessionId });
          const sessionId = frame.sessionId;
          user.data.skipTimer = setTimeout(
            () => {
              user.data.skipTimer = null;
              if (user.sessionId === sessionId) {
                quiet(user);
                user.send({ type: 'skip', sessionId });
              }
            },
            between(p.skipMinMs, p.skipMaxMs),
          );
          return;
        }
        case 'connected':
          user.data.chatTimer = setInterval(() => say(user), between(p.chatMinMs, p.chatMaxMs));
          return;
        case 'message':
          return onMessage(user, frame.text, at);
        case 'peerLeft':
        case 'ended':
          return quiet(user);
        case 'waiting':
          if (crowd.draining) leave(user);
          return;
        default:
          return;
      }
    },
    onClose: (user) => quiet(user),
  };
  // Draining: end a session (the partner is re-queued, then cancels) or leave the queue.
  const leave = (user: User<Chatter>) => {
    quiet(user);
    // One cancel at a time: a second one, after the first succeeded, would be a real bad_state.
    if (user.phase === 'waiting' && user.tolerate !== 'bad_state') {
      user.tolerate = 'bad_state';
      user.send({ type: 'cancel' });
    } else if ((user.phase === 'matched' || user.phase === 'inCall') && user.sessionId) {
      user.send({ type: 'end', sessionId: user.sessionId });
    }
  };
  const fresh = (): Chatter => ({ skipTimer: null, chatTimer: null, seq: 0, sentAt: {} });
  const crowd = new Crowd<Chatter>({ targets: p.targets, offset: i, behaviour, data: fresh });
  crowd.open(share(p.users, p.vus, i + 1), p.openRate / p.vus, () => {
    const end = Date.now() + p.durationMs;
    crowd.every(250, () => {
      if (Date.now() >= end && !crowd.draining) crowd.finish(p.drainMs, leave);
    });
  });
}
