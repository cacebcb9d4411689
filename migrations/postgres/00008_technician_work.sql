-- +goose Up
-- A technician's recent work (console.md, Technician): their own bench tests and mystery
-- orders, newest first, a page at a time. These indexes answer "technician_key_id = ? AND
-- id < ? ORDER BY id DESC LIMIT n" by reading n entries backwards, whatever the size of the
-- tables; ids sort by creation.
CREATE INDEX bench_tests_technician ON bench_tests (technician_key_id, id);
CREATE INDEX mystery_orders_technician ON mystery_orders (technician_key_id, id);

-- +goose Down
DROP INDEX mystery_orders_technician;
DROP INDEX bench_tests_technician;
