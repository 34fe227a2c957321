-- +goose Up
-- A tenant's published service standard (standar pelayanan, PermenPANRB 15/2014): the
-- parts no live data gives (legal basis, facilities, guarantees…) as the tenant admin
-- wrote them, as JSON (standard.Settings). No row: the defaults apply.
CREATE TABLE tenant_standards (
    tenant_id BIGINT PRIMARY KEY REFERENCES tenants(id),
    body TEXT NOT NULL,
    updated_at {{TIME}} NOT NULL,
    updated_by BIGINT NOT NULL DEFAULT 0
);

-- The newest document of a kind of a tenant (the printed standard) is found by this.
CREATE INDEX documents_tenant_kind ON documents (tenant_id, kind, issued_at);

-- +goose Down
DROP INDEX documents_tenant_kind;
DROP TABLE tenant_standards;
