-- +goose Up
-- Complaints (pengaduan, internal/complaint): filed by a signed-in applicant about one
-- of their requests (user_id, request_id) or by a member of the public with a contact;
-- each with a tracking number, a category whose time standard (working days) fixed
-- due_at at filing, and the role handling it now (forwarded: another staff role). The
-- working days to the first answer and to the close are stored in hundredths when they
-- happen, on the office's calendar of that moment, as a request step's working time is.
CREATE TABLE complaints (
    id {{ID}},
    tenant_id BIGINT NOT NULL REFERENCES tenants(id),
    number TEXT NOT NULL,
    user_id BIGINT REFERENCES users(id),
    request_id BIGINT REFERENCES requests(id),
    name TEXT NOT NULL,
    email TEXT NOT NULL DEFAULT '',
    phone TEXT NOT NULL DEFAULT '',
    lang TEXT NOT NULL DEFAULT 'id',
    category TEXT NOT NULL,
    standard_days INTEGER NOT NULL,
    subject TEXT NOT NULL,
    body TEXT NOT NULL,
    role TEXT NOT NULL,
    status TEXT NOT NULL,
    created_at {{TIME}} NOT NULL,
    due_at {{TIME}} NOT NULL,
    answered_at {{TIME}},
    answer_days INTEGER,
    closed_at {{TIME}},
    close_days INTEGER,
    closed_in_time BOOLEAN,
    UNIQUE (tenant_id, number)
);
CREATE INDEX complaints_tenant ON complaints (tenant_id, status, due_at);
CREATE INDEX complaints_user ON complaints (user_id);
CREATE INDEX complaints_created ON complaints (tenant_id, created_at);

-- A complaint's history: answers and the final answer (shown to the complainant) and
-- forwards with their note (staff only).
CREATE TABLE complaint_entries (
    id {{ID}},
    complaint_id BIGINT NOT NULL REFERENCES complaints(id),
    kind TEXT NOT NULL,
    body TEXT NOT NULL,
    from_role TEXT NOT NULL DEFAULT '',
    to_role TEXT NOT NULL DEFAULT '',
    actor_id BIGINT NOT NULL DEFAULT 0,
    actor_name TEXT NOT NULL DEFAULT '',
    created_at {{TIME}} NOT NULL
);
CREATE INDEX complaint_entries_complaint ON complaint_entries (complaint_id, id);

-- +goose Down
DROP TABLE complaint_entries;
DROP TABLE complaints;
