-- +goose Up
-- The number of the OPD's letter a request was started from (the front desk's resets
-- from one letter listing several people, Kalbar's practice), recorded with the request
-- in the transaction that starts it: a letter's requests are found again by its number
-- after its result page was left, and the request's pages and letters name it. '' for a
-- request no letter started.
ALTER TABLE requests ADD COLUMN letter_ref TEXT NOT NULL DEFAULT '';
CREATE INDEX requests_letter ON requests (tenant_id, letter_ref, id) WHERE letter_ref <> '';

-- +goose Down
DROP INDEX requests_letter;
ALTER TABLE requests DROP COLUMN letter_ref;
