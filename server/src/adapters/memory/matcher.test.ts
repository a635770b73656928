import { NO_LIMITS } from '../../../test/support/fakes.ts';
import { matcherContract } from '../../../test/support/matcher-contract.ts';
import type { PeerEvent } from '../../ports.ts';
import { MemoryJournal } from './journal.ts';
import { MemoryMatcher } from './matcher.ts';

matcherContract('memory', async () => {
  const events: { to: string; event: PeerEvent }[] = [];
  const clock = { now: 1_700_000_000_000 };
  const journal = new MemoryJournal();
  const matcher = new MemoryMatcher({
    journal,
    limits: NO_LIMITS,
    deliver: (to, event) => events.push({ to, event }),
    interestFallbackMs: 5_000,
    rematchCooldownMs: 60_000,
    instanceId: 'test-instance',
    now: () => clock.now,
  });
  return { matcher, journal, events, clock, close: async () => {} };
});
