/**
 * Prometheus metrics (prom-client). The names PROTOCOL.md promises, plus what an operator needs to
 * see the session log keeping up. Gauges that describe live state are computed at scrape time.
 */
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { FrameTap } from '../ports.ts';
import { CLIENT_FRAME_TYPES, type ClientFrameType, SERVER_FRAME_TYPES, type ServerFrameType } from '../protocol.ts';
import { type LagSampler, sampleEventLoopLag } from './eventloop.ts';
import { pruneDefaultMetrics } from './runtime.ts';

export interface LiveState {
  actorsByState(): Record<string, number>;
  sockets(): number;
  waiting(): number;
  pendingRows(): number;
  /** Journal entries not yet in PostgreSQL, for every instance (Redis: the stream's length). */
  journalBacklog(): Promise<number>;
}

export class Metrics implements FrameTap {
  readonly registry = new Registry();
  readonly pairs: Counter;
  readonly timeToMatch: Histogram;
  readonly sessionsClosed: Counter<'reason'>;
  readonly logWriteErrors: Counter;
  readonly logRejected: Counter;
  /**
   * Frames counted as plain numbers, by type ("invalid": refused before it had one). prom-client's
   * labelled `inc()` validates and hashes its labels and merges the default ones on every call;
   * at ~20 frames per pair that was a few percent of the server's CPU, so the counter reads these
   * at scrape time instead.
   */
  private readonly framesIn: Record<string, number> = Object.create(null);
  private readonly framesOut: Record<string, number> = Object.create(null);
  private readonly lag: LagSampler;

  constructor(live: LiveState, instance: string) {
    const registers = [this.registry];
    this.registry.setDefaultLabels({ instance });
    collectDefaultMetrics({ register: this.registry });
    pruneDefaultMetrics(this.registry);
    this.lag = sampleEventLoopLag(this.registry);
    this.pairs = new Counter({ name: 'matcher_pairs_total', help: 'Pairs formed by this instance', registers });
    this.timeToMatch = new Histogram({
      name: 'matcher_time_to_match_seconds',
      help: 'Time from entering the queue to being matched',
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
      registers,
    });
    this.sessionsClosed = new Counter({
      name: 'matcher_sessions_closed_total',
      help: 'Sessions closed by this instance, by reason',
      labelNames: ['reason'],
      registers,
    });
    this.logWriteErrors = new Counter({
      name: 'sessionlog_write_errors_total',
      help: 'Failed PostgreSQL batch writes (rows are kept and retried)',
      registers,
    });
    this.logRejected = new Counter({
      name: 'sessionlog_rejected_rows_total',
      help: 'Journal entries PostgreSQL refused for their data (dropped, logged by id)',
      registers,
    });
    new Gauge({
      name: 'matcher_waiting_users',
      help: 'Users in the waiting queue, across all instances',
      registers,
      collect() {
        this.set(live.waiting());
      },
    });
    new Gauge({
      name: 'matcher_actors',
      help: 'Live session actors on this instance, by state',
      labelNames: ['state'],
      registers,
      collect() {
        this.reset();
        for (const [state, n] of Object.entries(live.actorsByState())) this.set({ state }, n);
      },
    });
    new Gauge({
      name: 'ws_connections',
      help: 'Open WebSocket connections on this instance',
      registers,
      collect() {
        this.set(live.sockets());
      },
    });
    new Gauge({
      name: 'sessionlog_journal_entries',
      help: 'Journal entries (session starts and ends, reports) not yet in PostgreSQL, across all instances',
      registers,
      async collect() {
        this.set(await live.journalBacklog().catch(() => Number.NaN));
      },
    });
    new Gauge({
      name: 'sessionlog_pending_rows',
      help: 'Journal entries this instance has read but not yet written to PostgreSQL',
      registers,
      collect() {
        this.set(live.pendingRows());
      },
    });
    for (const type of [...CLIENT_FRAME_TYPES, 'invalid']) this.framesIn[type] = 0;
    for (const type of SERVER_FRAME_TYPES) this.framesOut[type] = 0;
    const counted = { in: this.framesIn, out: this.framesOut };
    const reported = { in: { ...this.framesIn }, out: { ...this.framesOut } };
    new Counter({
      name: 'ws_frames_total',
      help: 'WebSocket frames, by direction and type',
      labelNames: ['direction', 'type'],
      registers,
      collect() {
        for (const direction of ['in', 'out'] as const) {
          for (const [type, n] of Object.entries(counted[direction])) {
            const delta = n - (reported[direction][type] ?? 0);
            reported[direction][type] = n;
            // inc(0) too, so every series is exported from the first scrape on.
            this.inc({ direction, type }, delta);
          }
        }
      },
    });
  }

  /** Counts one client frame; anything that did not parse counts as "invalid". */
  frameIn(_userId: string, type: ClientFrameType | null): void {
    // The guard keeps a wrong type from ever landing on a property it did not create.
    const key = type !== null && type in this.framesIn ? type : 'invalid';
    this.framesIn[key] = (this.framesIn[key] ?? 0) + 1;
  }

  frameOut(_userId: string | null, type: ServerFrameType, count: number): void {
    if (type in this.framesOut) this.framesOut[type] = (this.framesOut[type] ?? 0) + count;
  }

  socketClosed(): void {}

  released(): void {}

  text(): Promise<string> {
    return this.registry.metrics();
  }

  stop(): void {
    this.lag.stop();
  }
}
