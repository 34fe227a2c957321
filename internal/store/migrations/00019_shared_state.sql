-- +goose Up
-- What the processes of one deployment must agree on, kept in their common database.

-- Settings of the deployment as a whole. key_check is a value derived from the secret
-- key (never the key): a process started with another key sees the mismatch at start
-- instead of failing on every sealed password, second factor and captcha of the others.
CREATE TABLE settings (
    name TEXT PRIMARY KEY,
    value TEXT NOT NULL,
    updated_at {{TIME}} NOT NULL
);

-- Captcha challenges already used (their signatures), until they expire: a solved
-- challenge is accepted once by the whole deployment, not once per process. The leader's
-- sweep deletes the expired rows.
CREATE TABLE captcha_spent (
    signature TEXT PRIMARY KEY,
    expires_at {{TIME}} NOT NULL
);
CREATE INDEX captcha_spent_expires ON captcha_spent (expires_at);

-- Documents' bytes to delete once their time has come, unless a request_files row names
-- them (internal/store/sweep.go): uploads held until their row commits, and the bytes of
-- documents replaced or withdrawn. Nothing a crash leaves is then out of the sweep's
-- reach.
CREATE TABLE file_sweep (
    name TEXT PRIMARY KEY,
    due_at {{TIME}} NOT NULL
);
CREATE INDEX file_sweep_due ON file_sweep (due_at);

-- +goose Down
DROP TABLE file_sweep;
DROP TABLE captcha_spent;
DROP TABLE settings;
