-- +goose Up
-- The audit trail (internal/audit): one hash chain per tenant, appended by
-- store/audit.go only. The unique key makes a forked chain (two entries with one seq)
-- impossible even if the append's lock were bypassed, and serves both the append's
-- "last entry of the tenant" and the verify pass's walk in chain order.
-- Nothing stops a database user from updating or deleting rows here: a trigger would
-- need one file per engine (their syntaxes share nothing). The hash chain is what makes
-- such a change visible (surel audit verify).
CREATE TABLE audit_log (
    id {{ID}},
    tenant_id BIGINT NOT NULL REFERENCES tenants(id),
    seq BIGINT NOT NULL,
    at {{TIME}} NOT NULL,
    actor TEXT NOT NULL,
    actor_name TEXT NOT NULL DEFAULT '',
    role TEXT NOT NULL DEFAULT '',
    action TEXT NOT NULL,
    object TEXT NOT NULL DEFAULT '',
    detail TEXT NOT NULL DEFAULT '',
    ip TEXT NOT NULL DEFAULT '',
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL,
    UNIQUE (tenant_id, seq)
);
-- A request's trail, for staff.
CREATE INDEX audit_log_object ON audit_log (object, tenant_id, seq);

-- +goose Down
DROP TABLE audit_log;
