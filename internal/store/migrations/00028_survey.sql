-- +goose Up
-- The Survei Kepuasan Masyarakat (internal/survey). survey_done says a request's
-- applicant answered (one answer per request); survey_answers holds the answers with no
-- link to a request or a person, and the day (YYYYMMDD in the office's zone) only, so
-- no report can say who answered what.
CREATE TABLE survey_done (
    request_id BIGINT PRIMARY KEY REFERENCES requests(id),
    tenant_id BIGINT NOT NULL REFERENCES tenants(id)
);

CREATE TABLE survey_answers (
    id {{ID}},
    tenant_id BIGINT NOT NULL REFERENCES tenants(id),
    service TEXT NOT NULL,
    day INTEGER NOT NULL,
    u1 SMALLINT NOT NULL CHECK (u1 BETWEEN 1 AND 4),
    u2 SMALLINT NOT NULL CHECK (u2 BETWEEN 1 AND 4),
    u3 SMALLINT NOT NULL CHECK (u3 BETWEEN 1 AND 4),
    u4 SMALLINT NOT NULL CHECK (u4 BETWEEN 1 AND 4),
    u5 SMALLINT NOT NULL CHECK (u5 BETWEEN 1 AND 4),
    u6 SMALLINT NOT NULL CHECK (u6 BETWEEN 1 AND 4),
    u7 SMALLINT NOT NULL CHECK (u7 BETWEEN 1 AND 4),
    u8 SMALLINT NOT NULL CHECK (u8 BETWEEN 1 AND 4),
    u9 SMALLINT NOT NULL CHECK (u9 BETWEEN 1 AND 4),
    gender TEXT NOT NULL DEFAULT '',
    education TEXT NOT NULL DEFAULT '',
    occupation TEXT NOT NULL DEFAULT '',
    suggestion TEXT NOT NULL DEFAULT ''
);
CREATE INDEX survey_answers_day ON survey_answers (tenant_id, day);

-- +goose Down
DROP TABLE survey_answers;
DROP TABLE survey_done;
