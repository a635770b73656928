import { describe, expect, test } from 'bun:test';
import { Churn, lineOf, senderOf } from './churn.ts';
import { Trend } from './trend.ts';
import type { UserEvents, UserLink, Wire } from './wire.ts';

/**
 * A wire and its server in one, in memory: a first-in-first-out queue, sessions of two, lines
 * relayed, a skip re-queuing both sides. Deliveries go through the timer queue, as frames go
 * through sockets, so the workload meets the same orderings it meets on a real wire. It stops
 * pairing after `limit` sessions, and checks what the workload promises of each one.
 */
class FakeWire implements Wire {
  readonly name = 'fake';
  readonly queue: FakeLink[] = [];
  sessions = 0;
  skips = 0;
  /** Sessions skipped before both lines were relayed (the workload promises none). */
  early = 0;
  open = 0;

  constructor(private readonly limit: number) {}

  connect(_target: string, events: UserEvents): Promise<UserLink> {
    this.open++;
    return Promise.resolve(new FakeLink(this, events));
  }

  enqueue(user: FakeLink): void {
    later(() => user.events.queued());
    const partner = this.sessions < this.limit ? this.queue.shift() : undefined;
    if (!partner) {
      this.queue.push(user);
      return;
    }
    this.sessions++;
    const session = { lines: 0 };
    for (const [a, b] of [
      [user, partner],
      [partner, user],
    ] as const) {
      a.partner = b;
      a.session = session;
      later(() => a.events.matched());
    }
  }

  /** Ends a user's session: both sides go back to the queue (as PROTOCOL.md's server does). */
  endSession(user: FakeLink, requeueSelf: boolean): void {
    const partner = user.partner;
    if (!partner) return;
    user.partner = partner.partner = null;
    user.session = partner.session = null;
    this.enqueue(partner);
    if (requeueSelf) this.enqueue(user);
  }
}

const later = (f: () => void) => setTimeout(f, 0);

class FakeLink implements UserLink {
  partner: FakeLink | null = null;
  session: { lines: number } | null = null;

  constructor(
    private readonly wire: FakeWire,
    readonly events: UserEvents,
  ) {}

  queue(): void {
    this.wire.enqueue(this);
  }

  say(text: string): void {
    const to = this.partner;
    if (!to || !this.session) return;
    this.session.lines++;
    later(() => to.events.line(text));
  }

  skip(): void {
    if (!this.session) return;
    this.wire.skips++;
    if (this.session.lines < 2) this.wire.early++;
    this.wire.endSession(this, true);
  }

  async leave(): Promise<void> {
    const i = this.wire.queue.indexOf(this);
    if (i >= 0) this.wire.queue.splice(i, 1);
    this.wire.endSession(this, false);
    this.wire.open--;
  }
}

async function until(done: () => boolean): Promise<void> {
  for (let i = 0; i < 1000 && !done(); i++) await Bun.sleep(1);
}

describe('churn workload', () => {
  test('each session: both sides say their line, then exactly one skips, and both queue again', async () => {
    const wire = new FakeWire(200);
    const logged: string[] = [];
    const churn = new Churn(undefined, (l) => logged.push(l));
    churn.measuring = true;
    await Promise.all(Array.from({ length: 10 }, (_, n) => churn.join(wire, 'fake', n)));
    await until(() => wire.sessions >= 200 && wire.skips >= 200);
    await churn.stop();
    // What the server saw and what the clients counted: one line each way and one skip per session.
    expect({ sessions: wire.sessions, skips: wire.skips, early: wire.early, open: wire.open }).toEqual({
      sessions: 200,
      skips: 200,
      early: 0,
      open: 0,
    });
    const counted = { pairs: churn.pairs, skips: churn.skips, lines: churn.lines, matched: churn.timeToMatch.count };
    expect(counted).toEqual({ pairs: 200, skips: 200, lines: 400, matched: 400 });
    expect({ faults: churn.faultCount, logged }).toEqual({ faults: 0, logged: [] });
  });

  test('counts only while measuring; faults count always, and the first few are logged', async () => {
    const wire = new FakeWire(20);
    const logged: string[] = [];
    const churn = new Churn(undefined, (l) => logged.push(l));
    await Promise.all(Array.from({ length: 4 }, (_, n) => churn.join(wire, 'fake', n)));
    await until(() => wire.skips >= 20);
    await churn.stop();
    expect(wire.sessions).toBe(20);
    expect(churn.pairs).toBe(0);
    expect(churn.timeToMatch.count).toBe(0);
    for (let i = 0; i < 12; i++) churn.fault('order_matched_in_idle', `#${i}`);
    expect(churn.faultCount).toBe(12);
    expect(logged).toHaveLength(10);
    expect(logged[0]).toBe('protocol_error order_matched_in_idle #0');
  });

  test('lines carry their sender', () => {
    expect(senderOf(lineOf(42))).toBe(42);
    expect(senderOf('hello')).toBeNull();
    expect(senderOf('churn 4 2')).toBeNull();
  });
});

describe('trend', () => {
  test('quantiles to 0.1 ms, within the samples seen', () => {
    const t = new Trend();
    for (let i = 1; i <= 1000; i++) t.add(i / 10);
    const s = t.summary();
    expect(s.count).toBe(1000);
    expect(s.min).toBeCloseTo(0.1);
    expect(s.max).toBeCloseTo(100);
    expect(s.med).toBeCloseTo(50, 0);
    expect(s['p(99)']).toBeCloseTo(99, 0);
    expect(s.avg).toBeCloseTo(50.05);
  });
  test('empty, and slower than the last bucket', () => {
    expect(new Trend().summary()).toEqual({ count: 0 });
    const t = new Trend();
    t.add(120_000);
    expect(t.summary().max).toBe(120_000);
    expect(t.summary()['p(99)']).toBe(120_000);
  });
});
