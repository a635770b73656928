import { expect, test } from 'bun:test';
import { MemoryJournal } from '../adapters/memory/journal.ts';
import type { Journal, JournalEntry, JournalRecord } from '../ports.ts';
import { JournalPump } from './pump.ts';

const started = (sid: string): JournalEntry => ({
  kind: 'started',
  session: { sessionId: sid, userA: 'a', userB: 'b', mode: 'text', startedAt: 1 },
});
const sidOf = (r: JournalRecord) =>
  r.entry && (r.entry.kind === 'started' || r.entry.kind === 'ended') ? r.entry.session.sessionId : '';

function rig(journal: Journal = new MemoryJournal()) {
  const written: string[] = [];
  const rejected: string[] = [];
  const errors: number[] = [];
  let down = false;
  const refuse = new Set<string>();
  const pump = new JournalPump(
    journal,
    {
      write: async (records) => {
        if (down) throw new Error('postgres is down');
        const bad = records.filter((r) => refuse.has(sidOf(r)));
        written.push(...records.filter((r) => !bad.includes(r)).map(sidOf));
        return bad;
      },
    },
    { batch: 3, onError: (_e, held) => errors.push(held), onRejected: (rs) => rejected.push(...rs.map(sidOf)) },
  );
  return { pump, written, rejected, errors, setDown: (v: boolean) => (down = v), refuse };
}

test('everything journaled reaches the writer, in batches, and is acknowledged', async () => {
  const journal = new MemoryJournal();
  const r = rig(journal);
  for (let i = 0; i < 7; i++) journal.push(started(`s${i}`));
  await r.pump.pump();
  expect(r.written).toEqual(['s0', 's1', 's2', 's3', 's4', 's5', 's6']);
  expect(journal.size).toBe(0);
  expect(r.pump.pending()).toBe(0);
});

test('while the writer is down, entries are held and retried; nothing is lost', async () => {
  const journal = new MemoryJournal();
  const r = rig(journal);
  journal.push(started('s1'));
  r.setDown(true);
  await expect(r.pump.pump()).rejects.toThrow('down');
  expect(r.pump.pending()).toBe(1);
  expect(journal.size).toBe(1); // read, not acknowledged
  journal.push(started('s2'));
  r.setDown(false);
  await r.pump.pump();
  expect(r.written).toEqual(['s1', 's2']);
  expect(journal.size).toBe(0);
  expect(r.errors).toEqual([1]);
});

test('a refused entry is dropped and reported; the others are written', async () => {
  const journal = new MemoryJournal();
  const r = rig(journal);
  r.refuse.add('bad');
  for (const sid of ['s1', 'bad', 's2']) journal.push(started(sid));
  await r.pump.pump();
  expect(r.written).toEqual(['s1', 's2']);
  expect(r.rejected).toEqual(['bad']);
  expect(journal.size).toBe(0);
});

test('an entry the journal cannot take is held and written directly', async () => {
  const broken: Journal = {
    append: async () => {
      throw new Error('redis is down');
    },
    read: async () => [],
    ack: async () => {},
    backlog: async () => 0,
  };
  const r = rig(broken);
  r.pump.append(started('s-report'));
  await Bun.sleep(0);
  expect(r.pump.pending()).toBe(1);
  await r.pump.stop(1000);
  expect(r.written).toEqual(['s-report']);
  expect(r.pump.pending()).toBe(0);
});
