-- +goose Up
-- Issue 20: the verified instansi of an account, and the office's register of domain
-- names (sub-domains on its DNS, desa.id names filed with the registry).

-- "Instansi terverifikasi": written when a staff member verifies a Verifikasi Instansi
-- request, in that step's transaction; one row per account (a new verification
-- replaces it). region is the village's code (kind desa) or the regency's (kind opd).
CREATE TABLE instansi_verified (
    user_id BIGINT PRIMARY KEY REFERENCES users(id),
    tenant_id BIGINT NOT NULL REFERENCES tenants(id),
    kind TEXT NOT NULL,
    instansi TEXT NOT NULL,
    unit TEXT NOT NULL DEFAULT '',
    region TEXT NOT NULL,
    jabatan TEXT NOT NULL,
    official_mailbox TEXT NOT NULL,
    request_id BIGINT NOT NULL REFERENCES requests(id),
    verified_by TEXT NOT NULL,
    verified_at {{TIME}} NOT NULL
);

-- The register of domain names ("database domain"): a row per name, written when the
-- DNS server confirmed the records (kind subdomain) or the registry activated the name
-- (kind desa.id, with its reference). A removed name keeps its row, with the request
-- that removed it; one active row per name.
CREATE TABLE domains (
    id {{ID}},
    tenant_id BIGINT NOT NULL REFERENCES tenants(id),
    kind TEXT NOT NULL,
    name TEXT NOT NULL,
    records TEXT NOT NULL DEFAULT '',
    owner_id BIGINT NOT NULL REFERENCES users(id),
    instansi TEXT NOT NULL DEFAULT '',
    region TEXT NOT NULL DEFAULT '',
    request_id BIGINT NOT NULL REFERENCES requests(id),
    reference TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL,
    created_at {{TIME}} NOT NULL,
    removed_at {{TIME}},
    removed_by BIGINT REFERENCES requests(id)
);
CREATE UNIQUE INDEX domains_active ON domains (tenant_id, name) WHERE status = 'aktif';
CREATE INDEX domains_owner ON domains (owner_id, id);
CREATE INDEX domains_tenant ON domains (tenant_id, kind, name);

-- +goose Down
DROP TABLE domains;
DROP TABLE instansi_verified;
