-- +goose Up
-- The back office: each open row of request_steps is a task in the inbox of the step's
-- role. tenant_id is copied onto the step so the inbox reads one index; kind says what
-- the system does at the step; paused_at marks a step waiting for the applicant.
ALTER TABLE request_steps ADD COLUMN tenant_id BIGINT NOT NULL DEFAULT 0;
ALTER TABLE request_steps ADD COLUMN kind TEXT NOT NULL DEFAULT '';
ALTER TABLE request_steps ADD COLUMN actor_id BIGINT NOT NULL DEFAULT 0;
ALTER TABLE request_steps ADD COLUMN paused_at {{TIME}};
ALTER TABLE request_steps ADD COLUMN reminded_at {{TIME}};
ALTER TABLE request_steps ADD COLUMN breached_at {{TIME}};
UPDATE request_steps SET tenant_id = (SELECT tenant_id FROM requests WHERE requests.id = request_steps.request_id);
-- The inbox: open, running steps of a tenant by role, soonest due first.
CREATE INDEX request_steps_inbox ON request_steps (tenant_id, role, due_at)
    WHERE finished_at IS NULL AND paused_at IS NULL;
-- At most one running step per request: two people acting on the same step cannot
-- both start the next one.
CREATE UNIQUE INDEX request_steps_running ON request_steps (request_id)
    WHERE finished_at IS NULL AND paused_at IS NULL;

-- The mailbox's initial password, sealed (AES-GCM under a key derived from the secret
-- key) until the applicant reveals it once; then erased.
CREATE TABLE request_credentials (
    request_id BIGINT PRIMARY KEY REFERENCES requests(id) ON DELETE CASCADE,
    address TEXT NOT NULL,
    sealed TEXT NOT NULL DEFAULT '',
    created_at {{TIME}} NOT NULL,
    revealed_at {{TIME}},
    revealed_by TEXT NOT NULL DEFAULT ''
);

-- Requests entered by the front desk for applicants without a portal account.
ALTER TABLE requests ADD COLUMN channel TEXT NOT NULL DEFAULT 'portal';

-- +goose Down
ALTER TABLE requests DROP COLUMN channel;
DROP TABLE request_credentials;
DROP INDEX request_steps_running;
DROP INDEX request_steps_inbox;
ALTER TABLE request_steps DROP COLUMN breached_at;
ALTER TABLE request_steps DROP COLUMN reminded_at;
ALTER TABLE request_steps DROP COLUMN paused_at;
ALTER TABLE request_steps DROP COLUMN actor_id;
ALTER TABLE request_steps DROP COLUMN kind;
ALTER TABLE request_steps DROP COLUMN tenant_id;
