-- +goose Up
-- Requests for a mailed link (password reset, activation link again) by an address that
-- may or may not be an account's. The page answers after writing this row and its job,
-- the same work for every address; the job looks the address up and mails the link, so
-- no timing of the answer tells which addresses are registered.
CREATE TABLE link_requests (
    id {{ID}},
    tenant_id BIGINT NOT NULL REFERENCES tenants(id),
    purpose TEXT NOT NULL,
    email TEXT NOT NULL,
    created_at {{TIME}} NOT NULL,
    done_at {{TIME}}
);

-- +goose Down
DROP TABLE link_requests;
