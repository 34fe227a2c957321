-- +goose Up
-- Jobs run by pools of workers per queue in several processes (internal/jobs). queue is
-- the pool (mail, provisioning); locked_by the runner holding the lease, renewed by its
-- heartbeat; claims counts the runs started (attempts only those that came to an
-- outcome), so a job that kills its process is told apart.
ALTER TABLE jobs ADD COLUMN queue TEXT NOT NULL DEFAULT '';
ALTER TABLE jobs ADD COLUMN locked_by TEXT NOT NULL DEFAULT '';
ALTER TABLE jobs ADD COLUMN claims INTEGER NOT NULL DEFAULT 0;
UPDATE jobs SET claims = attempts;
DROP INDEX jobs_due;
-- What a claim reads: the due jobs of a queue, oldest first; only queued rows.
CREATE INDEX jobs_ready ON jobs (queue, run_at) WHERE status = 'queued';
-- What the rescue and the heartbeat read: the running ones.
CREATE INDEX jobs_leased ON jobs (locked_until) WHERE status = 'running';
-- What /metrics counts: every job not done (the done ones are the bulk).
CREATE INDEX jobs_open ON jobs (status) WHERE status <> 'done';
-- What the retention prunes.
CREATE INDEX jobs_done ON jobs (finished_at) WHERE status = 'done';
-- A message's latest job, for the outbox listing.
CREATE INDEX jobs_ref ON jobs (ref, kind);
-- Sent mail the retention prunes.
CREATE INDEX outbox_sent ON outbox (sent_at) WHERE status = 'sent';

-- Each tenant's mail server capacity as the leader last read it (every minute): the
-- staff's pages show it with its age and never call the server themselves. figures and
-- taken_at are the last reading that succeeded (NULL before one did); error the latest
-- reading's failure, '' when it succeeded.
CREATE TABLE capacity_snapshots (
    tenant_id BIGINT PRIMARY KEY REFERENCES tenants(id),
    figures TEXT NOT NULL DEFAULT '{}',
    taken_at {{TIME}},
    error TEXT NOT NULL DEFAULT ''
);

-- +goose Down
DROP TABLE capacity_snapshots;
DROP INDEX outbox_sent;
DROP INDEX jobs_ref;
DROP INDEX jobs_done;
DROP INDEX jobs_open;
DROP INDEX jobs_leased;
DROP INDEX jobs_ready;
CREATE INDEX jobs_due ON jobs (status, run_at);
ALTER TABLE jobs DROP COLUMN claims;
ALTER TABLE jobs DROP COLUMN locked_by;
ALTER TABLE jobs DROP COLUMN queue;
