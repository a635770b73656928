/**
 * What a Bun driver's workload needs from a wire protocol: one user on one connection, told and
 * asked in the workload's own words — queued, matched, a line from the partner; queue, say, skip,
 * leave. A wire turns these into its protocol's frames and back, and owns that protocol's races
 * (a leave crossing a match, a skip crossing a re-queue); the workload never sees a frame. Protocol
 * v1 is serendip-wire.ts; larrasket/omegle.lol's is omegle-wire.ts, driven by the same workload
 * for the side by side (`bun run load peer`).
 */

/** What a wire tells the workload about its user. */
export interface UserEvents {
  /**
   * The user is in the waiting queue: after its `queue()`, and again after every session however
   * it ended (a wire whose server does not re-queue by itself queues the user again first).
   */
  queued(): void;
  /** A partner was found: a session began. */
  matched(): void;
  /** A chat line from the partner in the current session. */
  line(text: string): void;
  /** Something the protocol does not allow here (an error answer, a frame out of order, a lost connection). */
  fault(kind: string, detail: string): void;
}

/** The workload's handle on its user. */
export interface UserLink {
  /** Enter the waiting queue (once: the wire re-queues the user after each session). */
  queue(): void;
  /** Send a chat line to the partner of the current session. */
  say(text: string): void;
  /** End the current session; both sides are reported `queued` again. */
  skip(): void;
  /** Leave the queue or the session cleanly, then disconnect; resolves once the connection is closed. */
  leave(): Promise<void>;
}

/** A wire protocol: connects one user to a server. */
export interface Wire {
  /** Names the protocol in the driver's output. */
  readonly name: string;
  /** Opens a connection; resolves once the user may queue (rejects when that fails). */
  connect(target: string, events: UserEvents): Promise<UserLink>;
  /**
   * The expected races of its protocol the wire absorbed so far, by kind (not faults: what the
   * protocol allows, counted so a reader sees how often it happened).
   */
  counters?(): Record<string, number>;
}
