-- +goose Up
-- The services after an account's creation (reset, deactivation, reactivation, quota)
-- are requests on a mailbox that exists: the one-live-request-per-person and
-- per-address rules are the creations' (a person's and an institutional mailbox), and a
-- mailbox has at most one open request of each of those services (two "Kirim" of a
-- reset cannot both pass).
DROP INDEX requests_person_live;
CREATE UNIQUE INDEX requests_person_live ON requests (tenant_id, domain, person_key)
    WHERE status IN ('menunggu', 'diproses', 'perbaikan', 'selesai') AND service NOT IN ('reset_password', 'nonaktif', 'aktif_kembali', 'kuota');
DROP INDEX requests_mailbox_live;
CREATE UNIQUE INDEX requests_mailbox_live ON requests (tenant_id, domain, mailbox)
    WHERE status IN ('menunggu', 'diproses', 'perbaikan', 'selesai') AND service NOT IN ('reset_password', 'nonaktif', 'aktif_kembali', 'kuota');
CREATE UNIQUE INDEX requests_service_open ON requests (tenant_id, domain, mailbox, service)
    WHERE status IN ('menunggu', 'diproses', 'perbaikan') AND service IN ('reset_password', 'nonaktif', 'aktif_kembali', 'kuota');

-- +goose Down
DROP INDEX requests_service_open;
DROP INDEX requests_mailbox_live;
CREATE UNIQUE INDEX requests_mailbox_live ON requests (tenant_id, domain, mailbox)
    WHERE status IN ('menunggu', 'diproses', 'perbaikan', 'selesai');
DROP INDEX requests_person_live;
CREATE UNIQUE INDEX requests_person_live ON requests (tenant_id, domain, person_key)
    WHERE status IN ('menunggu', 'diproses', 'perbaikan', 'selesai');
