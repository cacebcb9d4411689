-- +goose Up
-- Verification codes of certificates (transparency.md §1): every bench test and mystery order
-- carries one, unique, given at intake and never changed, which the public verification reads
-- with one lookup of these indexes. SQL cannot draw cryptographic randomness on both
-- databases alike, so the rows stored before this migration get their codes from the store,
-- in Go with crypto/rand, right after the migrations run (store.Migrate, assignMissingCodes):
-- the column is nullable for them, and NULLs do not collide in a unique index. The index is
-- whole, not partial, so that the search for rows still without a code reads it too.
ALTER TABLE bench_tests ADD COLUMN verification_code TEXT;
CREATE UNIQUE INDEX bench_tests_verification ON bench_tests (verification_code);
ALTER TABLE mystery_orders ADD COLUMN verification_code TEXT;
CREATE UNIQUE INDEX mystery_orders_verification ON mystery_orders (verification_code);

-- +goose Down
DROP INDEX mystery_orders_verification;
ALTER TABLE mystery_orders DROP COLUMN verification_code;
DROP INDEX bench_tests_verification;
ALTER TABLE bench_tests DROP COLUMN verification_code;
