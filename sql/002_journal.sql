-- Reports now reach PostgreSQL through the journal, which delivers at least once: the id of the
-- journal entry makes writing a report twice a no-op.
ALTER TABLE reports ADD COLUMN journal_id text;
CREATE UNIQUE INDEX reports_journal_id ON reports (journal_id);
