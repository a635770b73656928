/**
 * Stand-ins for the parts a unit test of the gateway or the session machine does not exercise:
 * no limits, nobody banned, no identity secret worth keeping. Real ones are tested on their own
 * and, together, against real processes in server/test.
 */
import { MemoryAdmission } from '../../src/adapters/memory/admission.ts';
import { Passes } from '../../src/identity/pass.ts';
import { Identities } from '../../src/identity/who.ts';
import { Metrics } from '../../src/observability/metrics.ts';
import type { Moderation, Ticket } from '../../src/ports.ts';

const SECRET = 'test-secret-test-secret-test-secret';
const WIDE = { perMinute: 1_000_000, burst: 1_000_000 };

/** Enqueue and skip limits nobody reaches. */
export const NO_LIMITS = { enqueue: WIDE, skip: WIDE };

/** Moderation with nobody banned or shadowed, keeping the reports it is given. */
export function openModeration(reports: Parameters<Moderation['report']>[0][] = []): Moderation {
  return { report: (r) => reports.push(r), banOf: () => null, shadowed: () => false };
}

/** The gateway's identity and admission parts, with no limits. */
export function openDoor() {
  return {
    identities: new Identities(SECRET, false, 0),
    passes: new Passes(SECRET, false),
    admission: new MemoryAdmission({ open: 1_000_000, beforeChallenge: WIDE, hard: WIDE }),
    moderation: { banOf: () => null },
    seen: () => {},
    prepare: async () => {},
  };
}

/** A ticket's moderation fields for `userId` (its own device), counted as a re-queue. */
export const asDevice = (userId: string): Pick<Ticket, 'device' | 'ipHash' | 'origin' | 'pool'> => ({
  device: `d-${userId}`,
  ipHash: 'a_test',
  origin: 'again',
  pool: 'main',
});

/** Metrics whose gauges read nothing (no actors, no sockets): for a test of what the counters count. */
export function quietMetrics(instance: string): Metrics {
  return new Metrics(
    {
      actorsByState: () => ({}),
      sockets: () => 0,
      waiting: () => 0,
      pendingRows: () => 0,
      journalBacklog: async () => 0,
    },
    instance,
  );
}
