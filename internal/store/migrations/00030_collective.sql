-- +goose Up
-- Collective requests (internal/collective): an OPD's list of employees, uploaded by its
-- operator or by the front desk for it, with the OPD head's letter. The rows are what the
-- last upload held, each with the problems its check found (JSON); a row submitted is a
-- personal request of its own (request_id) and stays through later re-uploads.
CREATE TABLE collectives (
    id {{ID}},
    tenant_id BIGINT NOT NULL REFERENCES tenants(id),
    instansi TEXT NOT NULL,
    province TEXT NOT NULL DEFAULT '',
    regency TEXT NOT NULL DEFAULT '',
    letter_name TEXT NOT NULL,
    letter_original TEXT NOT NULL DEFAULT '',
    letter_kind TEXT NOT NULL DEFAULT '',
    letter_size BIGINT NOT NULL DEFAULT 0,
    letter_sha256 TEXT NOT NULL DEFAULT '',
    file_name TEXT NOT NULL DEFAULT '',
    created_by BIGINT NOT NULL REFERENCES users(id),
    created_by_name TEXT NOT NULL DEFAULT '',
    created_at {{TIME}} NOT NULL,
    updated_at {{TIME}} NOT NULL
);
CREATE INDEX collectives_tenant ON collectives (tenant_id, id);
CREATE INDEX collectives_letter ON collectives (letter_name);

CREATE TABLE collective_rows (
    id {{ID}},
    collective_id BIGINT NOT NULL REFERENCES collectives(id),
    line INTEGER NOT NULL,
    nip TEXT NOT NULL DEFAULT '',
    nama TEXT NOT NULL DEFAULT '',
    jabatan TEXT NOT NULL DEFAULT '',
    unit TEXT NOT NULL DEFAULT '',
    phone TEXT NOT NULL DEFAULT '',
    email TEXT NOT NULL DEFAULT '',
    mailbox TEXT NOT NULL DEFAULT '',
    proposed BOOLEAN NOT NULL DEFAULT FALSE,
    problems TEXT NOT NULL DEFAULT '',
    request_id BIGINT REFERENCES requests(id),
    invited_at {{TIME}}
);
CREATE INDEX collective_rows_collective ON collective_rows (collective_id, line);
CREATE UNIQUE INDEX collective_rows_request ON collective_rows (request_id);

-- +goose Down
DROP TABLE collective_rows;
DROP TABLE collectives;
