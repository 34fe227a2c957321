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
-- one open per mailbox.
DROP INDEX requests_person_live;
CREATE UNIQUE INDEX requests_person_live ON requests (tenant_id, domain, person_key)
    WHERE status IN ('menunggu', 'diproses', 'perbaikan', 'selesai') AND service NOT IN ('reset_password', 'nonaktif', 'aktif_kembali', 'kuota', 'hapus')
    AND person_key <> '';
DROP INDEX requests_mailbox_live;
CREATE UNIQUE INDEX requests_mailbox_live ON requests (tenant_id, domain, mailbox)
    WHERE status IN ('menunggu', 'diproses', 'perbaikan', 'selesai') AND service NOT IN ('reset_password', 'nonaktif', 'aktif_kembali', 'kuota', 'hapus')
    AND mailbox <> '';
DROP INDEX requests_service_open;
CREATE UNIQUE INDEX requests_service_open ON requests (tenant_id, domain, mailbox, service)
    WHERE status IN ('menunggu', 'diproses', 'perbaikan') AND service IN ('reset_password', 'nonaktif', 'aktif_kembali', 'kuota', 'hapus');

-- +goose Down
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
ALTER TABLE login_failures DROP COLUMN pending_until;
ALTER TABLE login_failures DROP COLUMN pending;
