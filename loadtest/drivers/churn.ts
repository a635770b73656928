/**
 * The churn workload, independent of any wire protocol: every user loops queue → matched → each
 * side sends one chat line → one side skips → both queued again, as fast as the server pairs them.
 * Which side skips is agreed in the lines themselves: each names its sender's number, and the
 * higher number skips once it has heard the lower one. So both lines are relayed before a session
 * ends, exactly one skip is sent per session, and users share nothing but the tally — which is
 * what lets one driver run users of several servers, over several wires, side by side.
 */
import { Trend } from './trend.ts';
import type { UserEvents, UserLink, Wire } from './wire.ts';

/** The chat line user `n` sends in every session. */
export const lineOf = (n: number): string => `churn ${n}`;

/** The sender's number in a churn line; null for anything else. */
export function senderOf(text: string): number | null {
  const m = /^churn (\d+)$/.exec(text);
  return m ? Number(m[1]) : null;
}

/** Faults logged in full (the runner counts `protocol_error <kind>` lines in the driver's log). */
const LOGGED_FAULTS = 10;

/** The workload and its tally, for any number of users on any wires. */
export class Churn {
  /** Samples count only while this is set: after the warm-up, until the load ends. */
  measuring = false;
  /** From `queued` to `matched`, in ms. */
  readonly timeToMatch = new Trend();
  /** Half a pair per side's `matched`. */
  pairs = 0;
  /** Partners' lines heard, and skips sent. */
  lines = 0;
  skips = 0;
  /** Faults by kind (the whole run, warm-up included: a fault is a defect whenever it happens). */
  readonly faults = new Map<string, number>();
  stopping = false;
  private readonly links: UserLink[] = [];
  private logged = 0;

  constructor(
    /** Milliseconds, for time to match. */
    readonly now: () => number = () => performance.now(),
    private readonly log: (line: string) => void = (line) => console.warn(line),
  ) {}

  /** Connects user number `n` (unique within the run) to `target` over `wire`, and queues it. */
  async join(wire: Wire, target: string, n: number): Promise<void> {
    const user = new ChurnUser(this, n);
    const link = await wire.connect(target, user);
    if (this.stopping) return link.leave();
    user.link = link;
    this.links.push(link);
    link.queue();
  }

  /** Ends the loop: every user leaves its queue or session and disconnects. */
  async stop(): Promise<void> {
    this.stopping = true;
    await Promise.all(this.links.map((l) => l.leave()));
  }

  /** Counts a fault (and logs the first few in full). */
  fault(kind: string, detail: string): void {
    this.faults.set(kind, (this.faults.get(kind) ?? 0) + 1);
    if (this.logged++ < LOGGED_FAULTS) this.log(`protocol_error ${kind} ${detail}`.trim());
  }

  /** All faults. */
  get faultCount(): number {
    let n = 0;
    for (const c of this.faults.values()) n += c;
    return n;
  }
}

/** One user's side of the loop. */
class ChurnUser implements UserEvents {
  link: UserLink | null = null;
  private queuedAt = 0;

  constructor(
    private readonly churn: Churn,
    private readonly n: number,
  ) {}

  queued(): void {
    this.queuedAt = this.churn.now();
  }

  matched(): void {
    const c = this.churn;
    if (c.measuring) {
      c.timeToMatch.add(c.now() - this.queuedAt);
      c.pairs += 0.5;
    }
    if (!c.stopping) this.link?.say(lineOf(this.n));
  }

  line(text: string): void {
    const c = this.churn;
    const peer = senderOf(text);
    if (peer === null) {
      c.fault('bad_line', JSON.stringify(text));
      return;
    }
    if (c.measuring) c.lines++;
    if (this.n > peer && !c.stopping) {
      this.link?.skip();
      if (c.measuring) c.skips++;
    }
  }

  fault(kind: string, detail: string): void {
    this.churn.fault(kind, detail);
  }
}
