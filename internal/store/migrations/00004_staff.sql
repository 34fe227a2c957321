-- +goose Up
-- Staff are portal accounts that hold roles of the SOP in their tenant. A person may
-- hold several roles; granted_by is the account that granted it (NULL: the operator on
-- the command line).
CREATE TABLE staff_roles (
    user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    tenant_id BIGINT NOT NULL REFERENCES tenants(id),
    role TEXT NOT NULL,
    granted_at {{TIME}} NOT NULL,
    granted_by BIGINT,
    PRIMARY KEY (user_id, role)
);
CREATE INDEX staff_roles_tenant ON staff_roles (tenant_id, role);

-- The TOTP second factor of a staff member. The secret is sealed with AES-GCM under a
-- key derived from the deployment's secret key; enabled_at is NULL while enrolment
-- waits for its first code. last_step is the newest 30-second step accepted, so a code
-- cannot be used twice.
CREATE TABLE staff_mfa (
    user_id BIGINT PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
    totp_secret_enc TEXT NOT NULL,
    created_at {{TIME}} NOT NULL,
    enabled_at {{TIME}},
    last_step BIGINT NOT NULL DEFAULT 0
);

-- Single-use recovery codes, kept as SHA-256.
CREATE TABLE staff_recovery_codes (
    user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    hash TEXT NOT NULL,
    used_at {{TIME}},
    PRIMARY KEY (user_id, hash)
);

-- When the session's second factor was checked; NULL for applicants.
ALTER TABLE sessions ADD COLUMN mfa_at {{TIME}};

-- +goose Down
ALTER TABLE sessions DROP COLUMN mfa_at;
DROP TABLE staff_recovery_codes;
DROP TABLE staff_mfa;
DROP TABLE staff_roles;
