-- +goose Up
-- Each roster import and what it changed against the roster before it (roster.Diff):
-- the counts by kind, and the changes themselves (at most roster.MaxKept, those that
-- propose a deactivation first) for the tenant admin's report. A deactivation is
-- proposed from a report by a person (proposed_at), never by the import.
CREATE TABLE roster_runs (
    id {{ID}},
    tenant_id BIGINT NOT NULL REFERENCES tenants(id),
    source TEXT NOT NULL,
    by_id BIGINT,
    by_name TEXT NOT NULL DEFAULT '',
    at {{TIME}} NOT NULL,
    entries BIGINT NOT NULL,
    previous BIGINT NOT NULL,
    joined BIGINT NOT NULL,
    left_roster BIGINT NOT NULL,
    inactive BIGINT NOT NULL,
    moved BIGINT NOT NULL,
    restatus BIGINT NOT NULL,
    kept BIGINT NOT NULL,
    proposed_at {{TIME}}
);
CREATE INDEX roster_runs_tenant ON roster_runs (tenant_id, id);
CREATE TABLE roster_changes (
    run_id BIGINT NOT NULL REFERENCES roster_runs(id),
    seq BIGINT NOT NULL,
    tenant_id BIGINT NOT NULL,
    nip TEXT NOT NULL,
    kind TEXT NOT NULL,
    name TEXT NOT NULL,
    old_instansi TEXT NOT NULL,
    old_unit TEXT NOT NULL,
    old_status TEXT NOT NULL,
    old_active BOOLEAN NOT NULL,
    new_instansi TEXT NOT NULL,
    new_unit TEXT NOT NULL,
    new_status TEXT NOT NULL,
    new_active BOOLEAN NOT NULL,
    PRIMARY KEY (run_id, seq)
);
-- The report's proposals: the changes of a run that propose, joined to the registry by NIP.
CREATE INDEX roster_changes_kind ON roster_changes (run_id, kind, nip);

-- +goose Down
DROP TABLE roster_changes;
DROP TABLE roster_runs;
