-- +goose Up
-- Steps waiting for the applicant's correction, by tenant: with the inbox index (running
-- steps) it lets an SOP edit find every step requests are at without reading the whole
-- history (millions of rows nationally).
CREATE INDEX request_steps_paused ON request_steps (tenant_id, step_key)
    WHERE finished_at IS NULL AND paused_at IS NOT NULL;

-- +goose Down
DROP INDEX request_steps_paused;
