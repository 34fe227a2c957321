-- +goose Up
CREATE TABLE tenants (
    id {{ID}},
    slug TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    created_at {{TIME}} NOT NULL
);

-- Portal accounts (pemohon). E-mail and username are stored lower-cased, so the unique
-- indexes are case-insensitive on both engines.
CREATE TABLE users (
    id {{ID}},
    tenant_id BIGINT NOT NULL REFERENCES tenants(id),
    username TEXT NOT NULL,
    email TEXT NOT NULL,
    first_name TEXT NOT NULL,
    last_name TEXT NOT NULL DEFAULT '',
    phone TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    status TEXT NOT NULL,
    lang TEXT NOT NULL DEFAULT 'id',
    full_name TEXT NOT NULL DEFAULT '',
    nip TEXT NOT NULL DEFAULT '',
    jabatan TEXT NOT NULL DEFAULT '',
    instansi TEXT NOT NULL DEFAULT '',
    satuan_kerja TEXT NOT NULL DEFAULT '',
    address TEXT NOT NULL DEFAULT '',
    created_at {{TIME}} NOT NULL,
    activated_at {{TIME}},
    password_changed_at {{TIME}} NOT NULL
);
CREATE UNIQUE INDEX users_email ON users (tenant_id, email);
CREATE UNIQUE INDEX users_username ON users (tenant_id, username);

-- One-time links (activation, password reset). Only the SHA-256 of the secret is kept.
CREATE TABLE user_tokens (
    id {{ID}},
    user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    purpose TEXT NOT NULL,
    hash TEXT NOT NULL UNIQUE,
    created_at {{TIME}} NOT NULL,
    expires_at {{TIME}} NOT NULL,
    used_at {{TIME}}
);
CREATE INDEX user_tokens_user ON user_tokens (user_id, purpose);

-- Failed logins per login name (known or not). The key is tenant:name.
CREATE TABLE login_failures (
    key TEXT PRIMARY KEY,
    count INTEGER NOT NULL,
    first_at {{TIME}} NOT NULL,
    locked_until {{TIME}}
);

-- Sessions. The cookie holds the secret; the table its SHA-256.
CREATE TABLE sessions (
    hash TEXT PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    created_at {{TIME}} NOT NULL,
    seen_at {{TIME}} NOT NULL,
    expires_at {{TIME}} NOT NULL,
    ip TEXT NOT NULL DEFAULT '',
    user_agent TEXT NOT NULL DEFAULT ''
);
CREATE INDEX sessions_user ON sessions (user_id);

-- Outgoing mail, kept for staff to see whether it went out.
CREATE TABLE outbox (
    id {{ID}},
    tenant_id BIGINT NOT NULL REFERENCES tenants(id),
    to_addr TEXT NOT NULL,
    subject TEXT NOT NULL,
    body_text TEXT NOT NULL,
    body_html TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL,
    created_at {{TIME}} NOT NULL,
    sent_at {{TIME}}
);

-- Background jobs: every job is retried with backoff and, after max_attempts, left
-- "dead" for staff to see and retry.
CREATE TABLE jobs (
    id {{ID}},
    kind TEXT NOT NULL,
    ref BIGINT NOT NULL DEFAULT 0,
    status TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    max_attempts INTEGER NOT NULL,
    run_at {{TIME}} NOT NULL,
    locked_until {{TIME}},
    last_error TEXT NOT NULL DEFAULT '',
    created_at {{TIME}} NOT NULL,
    finished_at {{TIME}}
);
CREATE INDEX jobs_due ON jobs (status, run_at);

-- +goose Down
DROP TABLE jobs;
DROP TABLE outbox;
DROP TABLE sessions;
DROP TABLE login_failures;
DROP TABLE user_tokens;
DROP TABLE users;
DROP TABLE tenants;
