/**
 * Fills each connection's trail at the gateway's edges, where it costs nothing extra: the client
 * frames it accepts, the frames actors send out, and socket closes. (Recording from XState's
 * inspection events would give the same story but costs ~650 bytes per actor for the observer
 * and several allocations per event; this is a map lookup and a typed-array write.)
 * Pings, pongs and stats are left out, or an idle user's trail would show nothing else.
 */
import type { Outbox } from '../session/effects.ts';
import { eventTypes, Trail } from './trail.ts';

const QUIET = new Set(['ping', 'pong', 'stats']);

type Holder = { trail?: Trail };

/** Codes for "→ enqueue" / "← matched", interned once per frame type (no string building per frame). */
function codes(prefix: string) {
  const memo = new Map<string, number>();
  return (type: string) => {
    let code = memo.get(type);
    if (code === undefined) {
      code = eventTypes.codeOf(`${prefix} ${type}`);
      memo.set(type, code);
    }
    return code;
  };
}

export class FrameTrails {
  private readonly inCode = codes('→');
  private readonly outCode = codes('←');
  private readonly closeCode = codes('✕');

  constructor(
    private readonly lookup: (userId: string) => Holder | undefined,
    private readonly now: () => number = Date.now,
  ) {}

  /** A client frame was accepted. */
  frameIn(holder: Holder, type: string): void {
    if (!QUIET.has(type)) this.record(holder, this.inCode(type));
  }

  /** The socket closed from the client's side. */
  socketClosed(holder: Holder): void {
    this.record(holder, this.closeCode('socket closed'));
  }

  /** The outbox, recording what actors send and the closes they order. */
  outbox(out: Outbox): Outbox {
    return {
      send: (userId, frame) => {
        if (!QUIET.has(frame.type)) {
          const holder = this.lookup(userId);
          if (holder) this.record(holder, this.outCode(frame.type));
        }
        out.send(userId, frame);
      },
      closeSocket: (userId, code, reason) => {
        const holder = this.lookup(userId);
        if (holder) this.record(holder, this.closeCode(reason));
        out.closeSocket(userId, code, reason);
      },
      release: (userId, conn) => out.release(userId, conn),
    };
  }

  private record(holder: Holder, code: number): void {
    holder.trail ??= new Trail();
    holder.trail.record(code, this.now());
  }
}
