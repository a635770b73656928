/**
 * The last few events of one user's actor, for /admin. Fixed size and allocation-free on record:
 * one Float64Array of TRAIL_SIZE slots per connection, each packing `time * 256 + code`, where
 * the code indexes a process-wide table of event types (finite: the machine's own event names).
 * Milliseconds since the epoch stay below 2^45 until the year 3084, so the packing is exact.
 */

export const TRAIL_SIZE = 8;
const CODES = 256;
/** Code 0 marks an empty slot; the last code stands for any type past the table's capacity. */
const OTHER = CODES - 1;

/** Event types interned to small codes, with a bounded table. */
export class EventTypes {
  private readonly codes = new Map<string, number>();
  private readonly names: string[] = [''];

  /** The code of an event type, interned on first sight. */
  codeOf(type: string): number {
    const known = this.codes.get(type);
    if (known !== undefined) return known;
    if (this.names.length >= OTHER) return OTHER;
    const code = this.names.length;
    this.codes.set(type, code);
    this.names.push(type);
    return code;
  }

  nameOf(code: number): string {
    return code === OTHER ? 'other' : (this.names[code] ?? 'other');
  }
}

/** The process-wide table every trail of this server uses. */
export const eventTypes = new EventTypes();

export interface TrailEntry {
  type: string;
  at: number;
}

export class Trail {
  private readonly slots = new Float64Array(TRAIL_SIZE);
  private head = 0;

  /** Records an event; a repeat of the last one only moves its time (a burst of typing is one line). */
  record(code: number, at: number): void {
    const last = (this.head + TRAIL_SIZE - 1) % TRAIL_SIZE;
    const previous = this.slots[last] ?? 0;
    if (previous !== 0 && previous % CODES === code) {
      this.slots[last] = at * CODES + code;
      return;
    }
    this.slots[this.head] = at * CODES + code;
    this.head = (this.head + 1) % TRAIL_SIZE;
  }

  /** The recorded events, newest first (allocates: called by /admin, not on the hot path). */
  entries(types: EventTypes = eventTypes): TrailEntry[] {
    const out: TrailEntry[] = [];
    for (let i = 1; i <= TRAIL_SIZE; i++) {
      const slot = this.slots[(this.head - i + TRAIL_SIZE) % TRAIL_SIZE] ?? 0;
      if (slot === 0) break;
      const code = slot % CODES;
      out.push({ type: types.nameOf(code), at: (slot - code) / CODES });
    }
    return out;
  }
}
