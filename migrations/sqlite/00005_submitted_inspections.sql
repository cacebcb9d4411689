-- +goose Up
-- The inspection column becomes the store's own document of an inspection, which the store
-- writes from the graded inspection and reads back whole; the API's JSON is no longer the
-- storage format, so renaming an API field needs no data migration. The document a client
-- submitted is kept apart, byte for byte, as the evidence a grade is defended against (empty
-- for generated records). Rows stored before held the submitted document in inspection: it
-- moves to submitted, and stays in inspection, where it reads as the store's document, whose
-- member names are those of the API's inspection at the time.
ALTER TABLE bench_tests ADD COLUMN submitted TEXT NOT NULL DEFAULT '';
UPDATE bench_tests SET submitted = inspection;
ALTER TABLE mystery_orders ADD COLUMN submitted TEXT NOT NULL DEFAULT '';
UPDATE mystery_orders SET submitted = inspection;

-- +goose Down
-- Before this version inspection held the document as submitted.
UPDATE bench_tests SET inspection = submitted WHERE submitted <> '';
ALTER TABLE bench_tests DROP COLUMN submitted;
UPDATE mystery_orders SET inspection = submitted WHERE submitted <> '';
ALTER TABLE mystery_orders DROP COLUMN submitted;
