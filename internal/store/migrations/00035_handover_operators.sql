-- +goose Up
-- Handover of institutional mailboxes (issue 19): when the responsible PNS of an
-- institutional mailbox is deactivated or leaves, moves or stops being active in the
-- roster, the mailbox is flagged for handover (handover holds the reason, handover_at
-- when) and stays as it is on the server: never locked silently. The Serah Terima
-- service names the new responsible PNS and clears the flag.
ALTER TABLE registry ADD COLUMN handover TEXT NOT NULL DEFAULT '';
ALTER TABLE registry ADD COLUMN handover_at {{TIME}};
-- The registry page's "perlu serah terima" filter and count: few rows, a partial index.
CREATE INDEX registry_handover ON registry (tenant_id, address) WHERE handover <> '';
-- Roster imports and deactivations find the institutional mailboxes of a person.
CREATE INDEX registry_institutional ON registry (tenant_id, nip) WHERE kind = 'instansi';

-- The Serah Terima service acts on an existing mailbox like the other services of
-- issue 14: the live-request unique indexes of migration 27 leave it out too (its
-- request names the mailbox a creation already holds). Migration 36 rebuilds them with
-- the purge added; the store's batch reads repeat that last list (liveIndexServices).
DROP INDEX requests_person_live;
CREATE UNIQUE INDEX requests_person_live ON requests (tenant_id, domain, person_key)
    WHERE status IN ('menunggu', 'diproses', 'perbaikan', 'selesai')
    AND service NOT IN ('reset_password', 'nonaktif', 'aktif_kembali', 'kuota', 'serah_terima')
    AND person_key <> '';
DROP INDEX requests_mailbox_live;
CREATE UNIQUE INDEX requests_mailbox_live ON requests (tenant_id, domain, mailbox)
    WHERE status IN ('menunggu', 'diproses', 'perbaikan', 'selesai')
    AND service NOT IN ('reset_password', 'nonaktif', 'aktif_kembali', 'kuota', 'serah_terima')
    AND mailbox <> '';
DROP INDEX requests_service_open;
CREATE UNIQUE INDEX requests_service_open ON requests (tenant_id, domain, mailbox, service)
    WHERE status IN ('menunggu', 'diproses', 'perbaikan')
    AND service IN ('reset_password', 'nonaktif', 'aktif_kembali', 'kuota', 'serah_terima');

-- OPD operators: a portal account the tenant admin marks as the operator of one OPD
-- (instansi), who may then upload that OPD's collective lists from the portal. One OPD
-- per account; removing the mark deletes the row (the audit trail keeps who and when).
CREATE TABLE opd_operators (
    user_id BIGINT PRIMARY KEY REFERENCES users(id),
    tenant_id BIGINT NOT NULL REFERENCES tenants(id),
    instansi TEXT NOT NULL,
    created_by BIGINT NOT NULL,
    created_at {{TIME}} NOT NULL
);
CREATE INDEX opd_operators_tenant ON opd_operators (tenant_id, instansi);

-- +goose Down
DROP TABLE opd_operators;
DROP INDEX requests_service_open;
CREATE UNIQUE INDEX requests_service_open ON requests (tenant_id, domain, mailbox, service)
    WHERE status IN ('menunggu', 'diproses', 'perbaikan') AND service IN ('reset_password', 'nonaktif', 'aktif_kembali', 'kuota');
DROP INDEX requests_mailbox_live;
CREATE UNIQUE INDEX requests_mailbox_live ON requests (tenant_id, domain, mailbox)
    WHERE status IN ('menunggu', 'diproses', 'perbaikan', 'selesai') AND service NOT IN ('reset_password', 'nonaktif', 'aktif_kembali', 'kuota')
    AND mailbox <> '';
DROP INDEX requests_person_live;
CREATE UNIQUE INDEX requests_person_live ON requests (tenant_id, domain, person_key)
    WHERE status IN ('menunggu', 'diproses', 'perbaikan', 'selesai') AND service NOT IN ('reset_password', 'nonaktif', 'aktif_kembali', 'kuota')
    AND person_key <> '';
DROP INDEX registry_institutional;
DROP INDEX registry_handover;
ALTER TABLE registry DROP COLUMN handover_at;
ALTER TABLE registry DROP COLUMN handover;
