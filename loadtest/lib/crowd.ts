/**
 * Many users in one VU: opened at a set pace and spread round-robin over the server instances, an
 * idle pool the arrival pacer draws from, the heartbeat (PROTOCOL.md: a silent client pings every
 * 10 s), and a clean finish (drain, then close) so the server ends the run with nothing left over.
 */
import exec from 'k6/execution';
import { clearInterval, setInterval } from 'k6/timers';
import { type Behaviour, tally, User } from './client.ts';
import { num } from './env.ts';

const HEARTBEAT_MS = 10_000;
/** Open sockets in small batches on this tick, so a ramp is smooth rather than one burst. */
const OPEN_TICK_MS = 20;
/** The runner sets TICKS=1 to read per-second totals from k6's log (see client.ts `tally`). */
const TICKS = num('TICKS', 0) === 1;

function logTally(): void {
  const t = tally;
  console.log(`tick ${exec.vu.idInTest} ${Date.now()} ${t.pairs} ${t.hellos} ${t.arrivals} ${t.dropped} ${t.p95}`);
}

/** Where a crowd connects and what its users do. */
export interface CrowdOptions<T> {
  targets: string[];
  /** Where this VU starts in the round-robin over targets, so VUs spread evenly. */
  offset: number;
  behaviour: Behaviour<T>;
  data: () => T;
}

/** A VU's users. */
export class Crowd<T> {
  readonly users = new Set<User<T>>();
  /** Set by `finish`: behaviours stop starting new things and leave the queue instead. */
  draining = false;
  /**
   * Idle users, first in first out: a user comes back only after the others had their turn. (Last
   * in first out made the user who just sent `end` the next arrival, while the only one waiting was
   * usually its last partner — whom the rematch cooldown rightly keeps apart — so both waited and
   * the queue grew by one each time.)
   */
  private pool: User<T>[] = [];
  private head = 0;
  private readonly timers: ReturnType<typeof setInterval>[] = [];
  private next: number;
  /** The scenario's behaviour, plus forgetting users whose socket closed. */
  private readonly behaviour: Behaviour<T>;

  constructor(private readonly o: CrowdOptions<T>) {
    this.next = o.offset;
    this.behaviour = {
      onFrame: (user, frame, at) => o.behaviour.onFrame(user, frame, at),
      onClose: (user) => {
        this.users.delete(user);
        o.behaviour.onClose?.(user);
      },
    };
    this.every(2000, () => this.heartbeat());
    if (TICKS) this.every(1000, logTally);
  }

  /** Runs `fn` every `ms` until the crowd stops. */
  every(ms: number, fn: () => void): void {
    this.timers.push(setInterval(fn, ms));
  }

  /** Opens one user on the next instance. */
  add(): User<T> {
    const targets = this.o.targets;
    const url = targets[this.next++ % targets.length] ?? '';
    const user = new User(url, this.behaviour, this.o.data());
    this.users.add(user);
    return user;
  }

  /** Opens `count` users at `perSecond`, then calls `then`. */
  open(count: number, perSecond: number, then: () => void = () => {}): void {
    if (count <= 0) {
      then();
      return;
    }
    const start = Date.now();
    let opened = 0;
    const timer = setInterval(() => {
      const due = Math.min(count, Math.ceil(((Date.now() - start) * perSecond) / 1000));
      while (opened < due) {
        this.add();
        opened++;
      }
      if (opened >= count) {
        clearInterval(timer);
        then();
      }
    }, OPEN_TICK_MS);
    this.timers.push(timer);
  }

  /** Puts an idle user in the pool the arrivals draw from. */
  release(user: User<T>): void {
    if (this.draining || user.pooled || user.phase !== 'idle') return;
    user.pooled = true;
    this.pool.push(user);
  }

  /** The user idle the longest, to send into the queue, if any. */
  takeIdle(): User<T> | undefined {
    while (this.head < this.pool.length) {
      const user = this.pool[this.head++] as User<T>;
      if (this.head > 1024 && this.head * 2 > this.pool.length) {
        this.pool = this.pool.slice(this.head);
        this.head = 0;
      }
      if (!user.pooled) continue;
      user.pooled = false;
      if (user.phase === 'idle') return user;
    }
    return undefined;
  }

  /** Closes a user for good. */
  remove(user: User<T>): void {
    this.users.delete(user);
    user.close();
  }

  /** A user leaves and a new one connects in its place (actors are created and destroyed). */
  replace(user: User<T>): User<T> {
    this.remove(user);
    return this.add();
  }

  /**
   * Drains: `leave` is called for every user (the behaviour cancels or ends what it was doing);
   * once every user is idle, or after `drainMs`, all sockets close and `then` runs.
   */
  finish(drainMs: number, leave: (user: User<T>) => void, then: () => void = () => {}): void {
    this.draining = true;
    for (const user of this.users) leave(user);
    const deadline = Date.now() + drainMs;
    this.every(100, () => {
      let busy = 0;
      for (const user of this.users) if (user.phase !== 'idle' && user.phase !== 'closed') busy++;
      if (busy === 0 || Date.now() >= deadline) {
        this.stop();
        then();
      }
    });
  }

  /** Closes every socket and clears every timer, so the VU's iteration can end. */
  stop(): void {
    if (TICKS) logTally();
    for (const t of this.timers) clearInterval(t);
    this.timers.length = 0;
    for (const user of this.users) user.close();
    this.users.clear();
    this.pool = [];
    this.head = 0;
  }

  private heartbeat(): void {
    const now = Date.now();
    for (const user of this.users) {
      if (user.phase !== 'connecting' && user.phase !== 'closed' && now - user.lastSentAt >= HEARTBEAT_MS) {
        user.send({ type: 'ping', t: now });
      }
    }
  }
}
