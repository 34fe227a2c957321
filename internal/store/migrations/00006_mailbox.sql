-- +goose Up
-- The mail server's tables, written by the sql mailbox driver (internal/mailbox/sqlmail)
-- and read directly by Dovecot (passdb/userdb) and Postfix (virtual maps) as set out in
-- docs/mail-server.md: the column names are a contract with those configurations too.
-- Booleans are tested bare ("AND active") in the servers' queries, which both engines
-- accept.
CREATE TABLE mail_domains (
    domain TEXT PRIMARY KEY,
    active BOOLEAN NOT NULL DEFAULT TRUE,
    created_at {{TIME}} NOT NULL
);

-- One row per mailbox. address is local_part@domain, lower-case: the login name and the
-- delivery address. password carries its scheme prefix ({ARGON2ID}… or {BLF-CRYPT}…),
-- which is how Dovecot tells the schemes apart. owner is who the mailbox was made for
-- ("request:<id>"), so a repeated create is recognised instead of overwriting.
CREATE TABLE mailboxes (
    address TEXT PRIMARY KEY,
    local_part TEXT NOT NULL,
    domain TEXT NOT NULL REFERENCES mail_domains(domain),
    name TEXT NOT NULL DEFAULT '',
    password TEXT NOT NULL,
    quota_bytes BIGINT NOT NULL DEFAULT 0,
    active BOOLEAN NOT NULL DEFAULT TRUE,
    must_change BOOLEAN NOT NULL DEFAULT FALSE,
    owner TEXT NOT NULL,
    created_at {{TIME}} NOT NULL,
    updated_at {{TIME}} NOT NULL
);
CREATE INDEX mailboxes_domain ON mailboxes (domain);

-- Postfix's virtual_alias_maps: mail to address goes to destination (comma-separated).
CREATE TABLE mail_aliases (
    address TEXT PRIMARY KEY,
    domain TEXT NOT NULL REFERENCES mail_domains(domain),
    destination TEXT NOT NULL,
    active BOOLEAN NOT NULL DEFAULT TRUE,
    created_at {{TIME}} NOT NULL
);

-- Space used per mailbox, kept by Dovecot's quota plugin through dict-sql; surel only
-- reads it (Usage, Capacity).
CREATE TABLE mail_quota (
    username TEXT PRIMARY KEY,
    bytes BIGINT NOT NULL DEFAULT 0,
    messages BIGINT NOT NULL DEFAULT 0
);

-- +goose Down
DROP TABLE mail_quota;
DROP TABLE mail_aliases;
DROP TABLE mailboxes;
DROP TABLE mail_domains;
