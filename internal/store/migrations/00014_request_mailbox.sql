-- +goose Up
-- The mailbox a request is for has one name from the form to the database: mailbox (the
-- column was "address", the word the applicant's postal address uses too). Renaming
-- keeps the data; the partial unique index is made again under the new name (SQLite
-- cannot rename an index). Migration 15 removes the second copy the form values held.
ALTER TABLE requests RENAME COLUMN address TO mailbox;
DROP INDEX requests_address_live;
CREATE UNIQUE INDEX requests_mailbox_live ON requests (tenant_id, domain, mailbox)
    WHERE status IN ('menunggu', 'diproses', 'perbaikan', 'selesai');

-- +goose Down
DROP INDEX requests_mailbox_live;
ALTER TABLE requests RENAME COLUMN mailbox TO address;
CREATE UNIQUE INDEX requests_address_live ON requests (tenant_id, domain, address)
    WHERE status IN ('menunggu', 'diproses', 'perbaikan', 'selesai');
