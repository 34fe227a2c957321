-- +goose Up
-- A search of several words ("budi.santo") walks the range of its longest word in
-- registry_terms and keeps the mailboxes whose search text holds the other words. Reading
-- that text from each candidate's registry row cost a row lookup a candidate, and a rare
-- pair of common words walks the longest word's whole range: tens of milliseconds among a
-- million mailboxes (bench/RESULTS-registry.md). Each word's row now carries its
-- mailbox's search text (the store writes it with the words), and an index holds the
-- range with it, so the walk reads that one index and nothing else.
ALTER TABLE registry_terms ADD COLUMN search TEXT NOT NULL DEFAULT '';
UPDATE registry_terms SET search = (SELECT r.search FROM registry r WHERE r.id = registry_terms.mailbox_id);
CREATE INDEX registry_terms_search ON registry_terms (tenant_id, term, address, mailbox_id, search);

-- +goose Down
DROP INDEX registry_terms_search;
ALTER TABLE registry_terms DROP COLUMN search;
