-- +goose Up
-- The reports' counts per instansi (issue 16, "Speed"): a report for one instansi, the
-- returns and refusals, and the accounts per instansi and unit read these instead of the
-- history and the registry row by row. Each is written with what it counts, in its
-- transaction; migration 38 fills them from the rows already there.
--
-- A request's instansi is its report copy (requests.instansi) when the count is made;
-- a correction that changes it moves the request's counts (request.History.Reattribute).

-- stat_steps per instansi: the timed steps that ended on a day (the tenant's zone,
-- 20261206), and the requests closed on it (step_key '*').
CREATE TABLE stat_instansi_steps (
    tenant_id BIGINT NOT NULL,
    instansi TEXT NOT NULL,
    day INTEGER NOT NULL,
    service TEXT NOT NULL,
    step_key TEXT NOT NULL,
    role TEXT NOT NULL,
    minutes INTEGER NOT NULL,
    n BIGINT NOT NULL,
    in_sla BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, instansi, day, service, step_key, role, minutes)
);

-- The steps' counts per month of the tenant's days (20261200 / 100): the tenant's
-- (whole 1, instansi '') and each instansi's (whole 0). A period's whole months are read
-- here and only its first and last days from the daily counts: three years are a few
-- thousand rows, not each day's.
CREATE TABLE stat_step_months (
    tenant_id BIGINT NOT NULL,
    whole INTEGER NOT NULL,
    instansi TEXT NOT NULL,
    month INTEGER NOT NULL,
    service TEXT NOT NULL,
    step_key TEXT NOT NULL,
    role TEXT NOT NULL,
    minutes INTEGER NOT NULL,
    n BIGINT NOT NULL,
    in_sla BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, whole, instansi, month, service, step_key, role, minutes)
);

-- Returns to the applicant (refusal 0: a correction row opened that day) and refusals
-- (refusal 1: a step refused that day) per step and reason (the staff's note, its words
-- single-spaced).
CREATE TABLE stat_outcomes (
    tenant_id BIGINT NOT NULL,
    day INTEGER NOT NULL,
    instansi TEXT NOT NULL,
    service TEXT NOT NULL,
    step_key TEXT NOT NULL,
    refusal INTEGER NOT NULL,
    reason TEXT NOT NULL,
    n BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, day, instansi, service, step_key, refusal, reason)
);
CREATE INDEX stat_outcomes_instansi ON stat_outcomes (tenant_id, instansi, day);

-- The registry's events (as stat_accounts) per instansi, unit and kind, at three
-- spans: 'h' an hour, 'd' a UTC day, 'm' a UTC month, each starting at hour start
-- (Unix time / 3600). A period of whole days in any zone is its months, days and
-- hours put together: a few thousand rows for three years, however many accounts.
CREATE TABLE stat_instansi_accounts (
    tenant_id BIGINT NOT NULL,
    span TEXT NOT NULL,
    start BIGINT NOT NULL,
    instansi TEXT NOT NULL,
    unit TEXT NOT NULL,
    service TEXT NOT NULL,
    kind TEXT NOT NULL,
    event TEXT NOT NULL,
    n BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, span, start, instansi, unit, service, kind, event)
);
CREATE INDEX stat_instansi_accounts_instansi ON stat_instansi_accounts (tenant_id, instansi, span, start);

-- The requests sent (submitted_at) per instansi, service and status now, at the spans of
-- stat_instansi_accounts: a status change moves its request from one count to another.
CREATE TABLE stat_requests (
    tenant_id BIGINT NOT NULL,
    span TEXT NOT NULL,
    start BIGINT NOT NULL,
    instansi TEXT NOT NULL,
    service TEXT NOT NULL,
    status TEXT NOT NULL,
    n BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, span, start, instansi, service, status)
);

-- +goose Down
DROP TABLE stat_requests;
DROP INDEX stat_instansi_accounts_instansi;
DROP TABLE stat_instansi_accounts;
DROP INDEX stat_outcomes_instansi;
DROP TABLE stat_outcomes;
DROP TABLE stat_step_months;
DROP TABLE stat_instansi_steps;
