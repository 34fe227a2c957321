-- +goose Up
-- The live-request indexes once more, with the final list of the services on an existing
-- mailbox (internal/store's liveIndexServices). Migration 36 was edited after it had
-- landed to add the handover (serah_terima) of migration 35, and 35 landed after 36: a
-- database that applied 36 before that edit still has indexes that count a handover as
-- a second live request for a mailbox. Building them again here brings every database to
-- the same indexes, whatever order it met 35 and 36 in.
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
-- The indexes as migration 36 now builds them: nothing to undo.
SELECT 1;
