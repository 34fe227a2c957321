-- +goose Up
-- Login attempts in flight apart from failed ones (internal/account.Lockout): an attempt
-- is admitted before its password is hashed (pending, its place held until
-- pending_until, so a process that dies mid-check leaks nothing) and becomes a failure
-- only if the password was wrong. A burst of right passwords no longer locks its account.
ALTER TABLE login_failures ADD COLUMN pending INTEGER NOT NULL DEFAULT 0;
ALTER TABLE login_failures ADD COLUMN pending_until {{TIME}};

-- The purge of a deactivated mailbox after the tenant's retention period (service
-- "hapus", started by the leader, confirmed by staff) is a service on an existing
-- mailbox like the others: outside the one-live-request rules of the creations, at most
-- one open per mailbox. (The handover of an institutional mailbox, "serah_terima" of
-- migration 35, is one too: the lists are internal/store's liveIndexServices.)
DROP INDEX requests_person_live;
CREATE UNIQUE INDEX requests_person_live ON requests (tenant_id, domain, person_key)
    WHERE status IN ('menunggu', 'diproses', 'perbaikan', 'selesai') AND service NOT IN ('reset_password', 'nonaktif', 'aktif_kembali', 'kuota', 'serah_terima', 'hapus')
    AND person_key <> '';
DROP INDEX requests_mailbox_live;
CREATE UNIQUE INDEX requests_mailbox_live ON requests (tenant_id, domain, mailbox)
    WHERE status IN ('menunggu', 'diproses', 'perbaikan', 'selesai') AND service NOT IN ('reset_password', 'nonaktif', 'aktif_kembali', 'kuota', 'serah_terima', 'hapus')
    AND mailbox <> '';
DROP INDEX requests_service_open;
CREATE UNIQUE INDEX requests_service_open ON requests (tenant_id, domain, mailbox, service)
    WHERE status IN ('menunggu', 'diproses', 'perbaikan') AND service IN ('reset_password', 'nonaktif', 'aktif_kembali', 'kuota', 'serah_terima', 'hapus');

-- +goose Down
DROP INDEX requests_service_open;
CREATE UNIQUE INDEX requests_service_open ON requests (tenant_id, domain, mailbox, service)
    WHERE status IN ('menunggu', 'diproses', 'perbaikan') AND service IN ('reset_password', 'nonaktif', 'aktif_kembali', 'kuota', 'serah_terima');
DROP INDEX requests_mailbox_live;
CREATE UNIQUE INDEX requests_mailbox_live ON requests (tenant_id, domain, mailbox)
    WHERE status IN ('menunggu', 'diproses', 'perbaikan', 'selesai') AND service NOT IN ('reset_password', 'nonaktif', 'aktif_kembali', 'kuota', 'serah_terima')
    AND mailbox <> '';
DROP INDEX requests_person_live;
CREATE UNIQUE INDEX requests_person_live ON requests (tenant_id, domain, person_key)
    WHERE status IN ('menunggu', 'diproses', 'perbaikan', 'selesai') AND service NOT IN ('reset_password', 'nonaktif', 'aktif_kembali', 'kuota', 'serah_terima')
    AND person_key <> '';
ALTER TABLE login_failures DROP COLUMN pending_until;
ALTER TABLE login_failures DROP COLUMN pending;
