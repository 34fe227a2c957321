-- +goose Up
-- Requests (permohonan). Values holds the form as JSON; the columns the rules need are
-- kept apart so the database itself enforces them.
CREATE TABLE requests (
    id {{ID}},
    tenant_id BIGINT NOT NULL REFERENCES tenants(id),
    user_id BIGINT NOT NULL REFERENCES users(id),
    number TEXT,
    service TEXT NOT NULL,
    kind TEXT NOT NULL,
    status TEXT NOT NULL,
    person_key TEXT NOT NULL DEFAULT '',
    domain TEXT NOT NULL,
    address TEXT NOT NULL DEFAULT '',
    vals TEXT NOT NULL DEFAULT '{}',
    flags TEXT NOT NULL DEFAULT '[]',
    note TEXT NOT NULL DEFAULT '',
    resubmit_of BIGINT,
    created_at {{TIME}} NOT NULL,
    submitted_at {{TIME}},
    updated_at {{TIME}} NOT NULL,
    closed_at {{TIME}}
);
CREATE UNIQUE INDEX requests_number ON requests (tenant_id, number);
CREATE INDEX requests_user ON requests (user_id, id);
-- One live request (or active account) per person and domain, and per address: two
-- simultaneous "Kirim" cannot both pass.
CREATE UNIQUE INDEX requests_person_live ON requests (tenant_id, domain, person_key)
    WHERE status IN ('menunggu', 'diproses', 'perbaikan', 'selesai');
CREATE UNIQUE INDEX requests_address_live ON requests (tenant_id, domain, address)
    WHERE status IN ('menunggu', 'diproses', 'perbaikan', 'selesai');

CREATE TABLE request_files (
    id {{ID}},
    request_id BIGINT NOT NULL REFERENCES requests(id) ON DELETE CASCADE,
    field TEXT NOT NULL,
    name TEXT NOT NULL UNIQUE,
    original_name TEXT NOT NULL,
    kind TEXT NOT NULL,
    size BIGINT NOT NULL,
    sha256 TEXT NOT NULL,
    created_at {{TIME}} NOT NULL
);
CREATE INDEX request_files_request ON request_files (request_id);

-- History of a request: one row per SOP step, with its time standard and verdict stored
-- when the step ends.
CREATE TABLE request_steps (
    id {{ID}},
    request_id BIGINT NOT NULL REFERENCES requests(id) ON DELETE CASCADE,
    seq INTEGER NOT NULL,
    step_key TEXT NOT NULL,
    name TEXT NOT NULL,
    role TEXT NOT NULL,
    jabatan TEXT NOT NULL DEFAULT '',
    actor TEXT NOT NULL DEFAULT '',
    started_at {{TIME}} NOT NULL,
    due_at {{TIME}},
    finished_at {{TIME}},
    status TEXT NOT NULL,
    sla TEXT NOT NULL DEFAULT '',
    note TEXT NOT NULL DEFAULT ''
);
CREATE INDEX request_steps_request ON request_steps (request_id, seq);

CREATE TABLE notifications (
    id {{ID}},
    user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    request_id BIGINT NOT NULL DEFAULT 0,
    msg_key TEXT NOT NULL,
    arg TEXT NOT NULL DEFAULT '',
    created_at {{TIME}} NOT NULL,
    read_at {{TIME}}
);
CREATE INDEX notifications_user ON notifications (user_id, id);

-- +goose Down
DROP TABLE notifications;
DROP TABLE request_steps;
DROP TABLE request_files;
DROP TABLE requests;
