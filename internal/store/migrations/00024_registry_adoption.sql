-- +goose Up
-- Adopting the mailboxes a tenant's server already holds (issue 13, registry.Syncer).
-- server_status is the server's own word for the mailbox (lockout, maintenance, pending
-- …: registry.status says what staff decide on). An owner found only by name is a
-- proposal, never an assignment: candidate_nip and candidate_score hold it and review
-- 'tinjau' puts it in the staff's review queue until someone confirms ('' after) or
-- rejects it ('ditolak', not proposed again by the next sync).
ALTER TABLE registry ADD COLUMN server_status TEXT NOT NULL DEFAULT '';
ALTER TABLE registry ADD COLUMN candidate_nip TEXT NOT NULL DEFAULT '';
ALTER TABLE registry ADD COLUMN candidate_score INTEGER NOT NULL DEFAULT 0;
ALTER TABLE registry ADD COLUMN review TEXT NOT NULL DEFAULT '';
-- The review queue, in address order.
CREATE INDEX registry_review ON registry (tenant_id, review, address) WHERE review <> '';

-- Each sync of a tenant's mail server: when, by whom, what it found; the screen shows
-- the last ones, error says why one stopped.
CREATE TABLE registry_syncs (
    id {{ID}},
    tenant_id BIGINT NOT NULL REFERENCES tenants(id),
    domain TEXT NOT NULL,
    started_at {{TIME}} NOT NULL,
    finished_at {{TIME}},
    actor TEXT NOT NULL DEFAULT '',
    seen BIGINT NOT NULL DEFAULT 0,
    added BIGINT NOT NULL DEFAULT 0,
    changed BIGINT NOT NULL DEFAULT 0,
    gone BIGINT NOT NULL DEFAULT 0,
    by_nip BIGINT NOT NULL DEFAULT 0,
    to_review BIGINT NOT NULL DEFAULT 0,
    error TEXT NOT NULL DEFAULT ''
);
CREATE INDEX registry_syncs_tenant ON registry_syncs (tenant_id, id);

-- A matched NIP finds its portal account.
CREATE INDEX users_nip ON users (tenant_id, nip) WHERE nip <> '';

-- +goose Down
DROP INDEX users_nip;
DROP TABLE registry_syncs;
DROP INDEX registry_review;
ALTER TABLE registry DROP COLUMN review;
ALTER TABLE registry DROP COLUMN candidate_score;
ALTER TABLE registry DROP COLUMN candidate_nip;
ALTER TABLE registry DROP COLUMN server_status;
