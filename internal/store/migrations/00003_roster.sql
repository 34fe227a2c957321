-- +goose Up
-- The employer's roster (data kepegawaian) of each tenant, replaced as a whole by an
-- import (store/roster.go), which is the only writer. The primary key is the NIP lookup.
-- The NIP is kept as the number of its 18 digits (it fits in 63 bits; read back
-- zero-padded): against text it halves the key and saves a sixth of a national import.
-- tenant_id has no foreign key: the import checks the tenant once, where PostgreSQL
-- would check it for each of 4.3 million rows and take 3.6 times as long
-- (bench/RESULTS-roster.md).
CREATE TABLE roster (
    tenant_id BIGINT NOT NULL,
    nip BIGINT NOT NULL,
    name TEXT NOT NULL,
    instansi TEXT NOT NULL,
    unit TEXT NOT NULL,
    status TEXT NOT NULL,
    active BOOLEAN NOT NULL,
    PRIMARY KEY (tenant_id, nip)
);

-- The tenants with a roster loaded, and its size, so neither needs a scan of roster.
CREATE TABLE roster_imports (
    tenant_id BIGINT PRIMARY KEY REFERENCES tenants(id),
    entries BIGINT NOT NULL
);

-- +goose Down
DROP TABLE roster_imports;
DROP TABLE roster;
