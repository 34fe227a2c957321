-- +goose Up
-- The mailbox registry ("database akun email", internal/registry): every mailbox of a
-- tenant, made by surel for a request (source 'surel') or adopted by a sync of the mail
-- server (source 'adopsi'). A state is written only after the server confirmed it;
-- version counts the changes, and a change is written over the version it was decided
-- on, so two writers cannot both win. owner_id is nullable: an adopted mailbox may have
-- no known owner yet (owner_match says how one was found), and an institutional one has
-- its responsible PNS there. A mailbox the server no longer lists is marked gone_at,
-- never deleted.
CREATE TABLE registry (
    id {{ID}},
    tenant_id BIGINT NOT NULL REFERENCES tenants(id),
    address TEXT NOT NULL,
    kind TEXT NOT NULL,
    status TEXT NOT NULL,
    source TEXT NOT NULL,
    owner_id BIGINT REFERENCES users(id),
    owner_match TEXT NOT NULL DEFAULT '',
    nip TEXT NOT NULL DEFAULT '',
    name TEXT NOT NULL DEFAULT '',
    instansi TEXT NOT NULL DEFAULT '',
    unit TEXT NOT NULL DEFAULT '',
    request_id BIGINT REFERENCES requests(id),
    quota_bytes BIGINT NOT NULL DEFAULT 0,
    used_bytes BIGINT NOT NULL DEFAULT -1,
    usage_at {{TIME}},
    search TEXT NOT NULL DEFAULT '',
    created_at {{TIME}} NOT NULL,
    updated_at {{TIME}} NOT NULL,
    synced_at {{TIME}},
    gone_at {{TIME}},
    deactivated_at {{TIME}},
    purge_after {{TIME}},
    version BIGINT NOT NULL DEFAULT 1,
    UNIQUE (tenant_id, address)
);
-- The registry page filtered by status, in address order.
CREATE INDEX registry_status ON registry (tenant_id, status, address);
-- Roster imports find the mailboxes of a NIP.
CREATE INDEX registry_nip ON registry (tenant_id, nip);
-- The owner's own mailboxes (portal forms).
CREATE INDEX registry_owner ON registry (owner_id);
-- Deactivated mailboxes whose retention has ended wait for their purge step.
CREATE INDEX registry_purge ON registry (purge_after) WHERE purge_after IS NOT NULL;

-- The words each mailbox is found by (registry.Terms): its address's parts, its owner's
-- name, its NIP. A search reads the range of one word's prefix in address order, which
-- the key gives without a sort, so a page costs the same among a million mailboxes.
CREATE TABLE registry_terms (
    tenant_id BIGINT NOT NULL,
    term TEXT NOT NULL,
    address TEXT NOT NULL,
    mailbox_id BIGINT NOT NULL REFERENCES registry(id) ON DELETE CASCADE,
    PRIMARY KEY (tenant_id, term, address)
);
CREATE INDEX registry_terms_mailbox ON registry_terms (mailbox_id);

-- The tenant's mailboxes by status, kept by every write of the registry in its
-- transaction: the page's counts without counting a million rows.
CREATE TABLE registry_counts (
    tenant_id BIGINT NOT NULL,
    status TEXT NOT NULL,
    n BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, status)
);

-- A mailbox's requests (its page), found by the mailbox.
CREATE INDEX requests_mailbox ON requests (tenant_id, mailbox);

-- +goose Down
DROP INDEX requests_mailbox;
DROP TABLE registry_counts;
DROP TABLE registry_terms;
DROP TABLE registry;
