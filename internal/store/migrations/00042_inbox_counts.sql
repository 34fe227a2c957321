-- +goose Up
-- The inbox's counters (issue 15): per tenant and role, how many steps run (neither
-- finished nor paused). The unfiltered inbox reads its total here, one row per role,
-- instead of walking the role's running steps on every page. The store's step writes
-- keep it in their transaction (internal/store/inbox_counts.go); this fills it from the
-- steps already there.
CREATE TABLE inbox_counts (
    tenant_id BIGINT NOT NULL,
    role TEXT NOT NULL,
    n BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, role)
);
INSERT INTO inbox_counts (tenant_id, role, n)
    SELECT tenant_id, role, COUNT(*) FROM request_steps WHERE finished_at IS NULL AND paused_at IS NULL GROUP BY tenant_id, role;

-- +goose Down
DROP TABLE inbox_counts;
