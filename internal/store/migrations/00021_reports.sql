-- +goose Up
-- Reports (internal/report) and the archive.
--
-- A request's office, as reports and the archive group, filter and search by it: the
-- instansi and satuan kerja of its form, copied when the form is written (the form's
-- values stay in vals; these are their report copies, like a step's inbox search text).
ALTER TABLE requests ADD COLUMN instansi TEXT NOT NULL DEFAULT '';
ALTER TABLE requests ADD COLUMN unit TEXT NOT NULL DEFAULT '';
-- When the request entered the archive (closed, or filed by an archive step), and when
-- an archive step filed it; search is its archive words (number, mailbox, applicant,
-- NIP, instansi), lower-cased, written when it is filed.
ALTER TABLE requests ADD COLUMN filed_at {{TIME}};
ALTER TABLE requests ADD COLUMN archived_at {{TIME}};
ALTER TABLE requests ADD COLUMN search TEXT NOT NULL DEFAULT '';
-- A step's working time (the minutes of working hours from its start to its end, the
-- time it waited for the applicant left out), stored when it ends; paused_minutes is
-- the working time it has waited so far.
ALTER TABLE request_steps ADD COLUMN work_minutes INTEGER;
ALTER TABLE request_steps ADD COLUMN paused_minutes INTEGER NOT NULL DEFAULT 0;
-- When an uploaded document's file was purged after the tenant's retention period; the
-- row stays.
ALTER TABLE request_files ADD COLUMN purged_at {{TIME}};

-- The steps that ended on a day (in the tenant's zone, as 20261206), per service, step
-- and role, per working-time bucket (sop.WorkBucket; -1 for a step that ended before
-- working times were kept): how many, and how many in SLA. Written with the step's end,
-- in its transaction; step_key '*' counts closed requests, the SOP as a whole. A report
-- over ten million history rows reads these instead.
CREATE TABLE stat_steps (
    tenant_id BIGINT NOT NULL,
    day INTEGER NOT NULL,
    service TEXT NOT NULL,
    step_key TEXT NOT NULL,
    role TEXT NOT NULL,
    minutes INTEGER NOT NULL,
    n BIGINT NOT NULL,
    in_sla BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, day, service, step_key, role, minutes)
);

-- The registry's events per hour (Unix time / 3600, so each Indonesian zone's days are
-- whole hours of it), service of the request that made the mailbox ('' for an adopted
-- one) and kind: created, adopted, deactivated, reactivated. Written with the registry's
-- row in its transaction; the accounts report's series and totals read these.
CREATE TABLE stat_accounts (
    tenant_id BIGINT NOT NULL,
    hour BIGINT NOT NULL,
    service TEXT NOT NULL,
    kind TEXT NOT NULL,
    event TEXT NOT NULL,
    n BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, hour, service, kind, event)
);

-- The mail server's figures as last read each day, with the tenant's limits then: the
-- capacity report's series.
CREATE TABLE capacity_days (
    tenant_id BIGINT NOT NULL,
    day INTEGER NOT NULL,
    at {{TIME}} NOT NULL,
    accounts BIGINT NOT NULL,
    max_accounts BIGINT NOT NULL,
    quota_allocated BIGINT NOT NULL,
    quota_used BIGINT NOT NULL,
    total_quota BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, day)
);

-- Requests sent in a period by service and status, read from the index alone.
CREATE INDEX requests_sent ON requests (tenant_id, submitted_at, service, status);
-- One instansi's requests, for the reports filtered by it.
CREATE INDEX requests_instansi ON requests (tenant_id, instansi, submitted_at);
-- The archive, newest first, and by period.
CREATE INDEX requests_filed ON requests (tenant_id, filed_at) WHERE filed_at IS NOT NULL;
-- Returns (correction rows) and refusals in a period.
CREATE INDEX request_steps_returns ON request_steps (tenant_id, started_at) WHERE kind = 'correction';
CREATE INDEX request_steps_refusals ON request_steps (tenant_id, finished_at) WHERE status = 'refused';
-- Accounts made in a period per instansi, and one instansi's accounts.
CREATE INDEX registry_created ON registry (tenant_id, created_at, instansi, unit, kind);
CREATE INDEX registry_instansi ON registry (tenant_id, instansi, created_at);

-- +goose Down
DROP INDEX registry_instansi;
DROP INDEX registry_created;
DROP INDEX request_steps_refusals;
DROP INDEX request_steps_returns;
DROP INDEX requests_filed;
DROP INDEX requests_instansi;
DROP INDEX requests_sent;
DROP TABLE capacity_days;
DROP TABLE stat_accounts;
DROP TABLE stat_steps;
ALTER TABLE request_files DROP COLUMN purged_at;
ALTER TABLE request_steps DROP COLUMN paused_minutes;
ALTER TABLE request_steps DROP COLUMN work_minutes;
ALTER TABLE requests DROP COLUMN search;
ALTER TABLE requests DROP COLUMN archived_at;
ALTER TABLE requests DROP COLUMN filed_at;
ALTER TABLE requests DROP COLUMN unit;
ALTER TABLE requests DROP COLUMN instansi;
