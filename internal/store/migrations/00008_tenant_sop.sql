-- +goose Up
-- A tenant's own SOP and working calendar, edited by its tenant admin. yaml is NULL while
-- the tenant follows the preset its configuration names; holidays_at is NULL while it
-- uses the national holiday table (sop.DefaultHolidays) and set once it edited its own,
-- which from then on is the whole truth (even when empty).
CREATE TABLE tenant_sops (
    tenant_id BIGINT PRIMARY KEY REFERENCES tenants(id),
    yaml TEXT,
    updated_at {{TIME}} NOT NULL,
    updated_by BIGINT NOT NULL DEFAULT 0,
    holidays_at {{TIME}}
);

-- The tenant's holiday table: national holidays, cuti bersama and local days off.
CREATE TABLE tenant_holidays (
    tenant_id BIGINT NOT NULL REFERENCES tenants(id),
    day TEXT NOT NULL, -- YYYY-MM-DD
    name TEXT NOT NULL,
    PRIMARY KEY (tenant_id, day)
);

-- +goose Down
DROP TABLE tenant_holidays;
DROP TABLE tenant_sops;
