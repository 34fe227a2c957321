-- +goose Up
-- The inbox searches a running step by request number, address and applicant name. The
-- text is copied onto the step when it starts and kept in the inbox index, so a search
-- reads that small partial index alone instead of joining every task of a role to its
-- request and applicant (bench/RESULTS-backoffice.md). id follows due_at so the index
-- gives the inbox its order (due, then id) without a sort.
ALTER TABLE request_steps ADD COLUMN search TEXT NOT NULL DEFAULT '';
UPDATE request_steps SET search = (
    SELECT LOWER(COALESCE(r.number, '') || ' ' || r.address || ' ' || u.full_name || ' ' || u.first_name || ' ' || u.last_name)
    FROM requests r JOIN users u ON u.id = r.user_id WHERE r.id = request_steps.request_id)
WHERE finished_at IS NULL;
DROP INDEX request_steps_inbox;
CREATE INDEX request_steps_inbox ON request_steps (tenant_id, role, due_at, id, search)
    WHERE finished_at IS NULL AND paused_at IS NULL;

-- +goose Down
DROP INDEX request_steps_inbox;
CREATE INDEX request_steps_inbox ON request_steps (tenant_id, role, due_at)
    WHERE finished_at IS NULL AND paused_at IS NULL;
ALTER TABLE request_steps DROP COLUMN search;
