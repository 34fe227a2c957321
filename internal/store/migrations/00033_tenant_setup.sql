-- +goose Up
-- A tenant's first-run settings (/kantor/pengaturan/awal, internal/setup): what the tenant
-- admin set over the defaults. An empty text is not set (the tenant file or the default
-- applies); mail is the mail server's settings as JSON, mail_secret its password or token
-- sealed with the deployment's key. No row: nothing set yet.
CREATE TABLE tenant_setup (
    tenant_id BIGINT PRIMARY KEY REFERENCES tenants(id),
    name TEXT NOT NULL DEFAULT '',
    mail_domain TEXT NOT NULL DEFAULT '',
    sop TEXT NOT NULL DEFAULT '',
    time_zone TEXT NOT NULL DEFAULT '',
    hours TEXT NOT NULL DEFAULT '',
    mail TEXT NOT NULL DEFAULT '',
    mail_secret TEXT NOT NULL DEFAULT '',
    updated_at {{TIME}} NOT NULL,
    updated_by BIGINT NOT NULL DEFAULT 0
);

-- +goose Down
DROP TABLE tenant_setup;
