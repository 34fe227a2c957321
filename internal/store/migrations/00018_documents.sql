-- +goose Up
-- The numbers of each tenant's letters (internal/letter): one row per series and period
-- (a year, or 0 for a series that never restarts), taken by an upsert in the
-- transaction of the document it numbers. PostgreSQL locks the row from the upsert to
-- the commit, so two processes issuing at once take 7 and 8, never 7 twice; a document
-- rolled back gives its number back with the rollback.
CREATE TABLE letter_counters (
    tenant_id BIGINT NOT NULL REFERENCES tenants(id),
    series TEXT NOT NULL,
    period INTEGER NOT NULL,
    last BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, series, period)
);

-- Issued documents: receipts, account letters, result letters, reports. What a document
-- attests (title, subject, mailbox, facts as JSON) is what the public verification page
-- shows for its code, so it never holds a password. pdf keeps the bytes of documents
-- whose bytes are their record (a report attached to a request).
CREATE TABLE documents (
    id {{ID}},
    tenant_id BIGINT NOT NULL REFERENCES tenants(id),
    kind TEXT NOT NULL,
    number TEXT NOT NULL,
    code TEXT NOT NULL UNIQUE,
    request_id BIGINT REFERENCES requests(id),
    issued_at {{TIME}} NOT NULL,
    issued_by BIGINT NOT NULL DEFAULT 0,
    title TEXT NOT NULL DEFAULT '',
    subject TEXT NOT NULL DEFAULT '',
    mailbox TEXT NOT NULL DEFAULT '',
    facts TEXT NOT NULL DEFAULT '[]',
    pdf {{BYTES}},
    archived_at {{TIME}}
);
-- A number is never given twice in a tenant, whatever the counters say.
CREATE UNIQUE INDEX documents_number ON documents (tenant_id, number);
-- One document of each kind per request: printed again, a receipt keeps its number.
CREATE UNIQUE INDEX documents_request ON documents (request_id, kind) WHERE request_id IS NOT NULL;

-- +goose Down
DROP TABLE documents;
DROP TABLE letter_counters;
