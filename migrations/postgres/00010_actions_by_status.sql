-- +goose Up
-- The list of corrective actions of one status, a page at a time in id order (console.md,
-- Corrective actions: "filter by status"). With the index on (status, due_at) alone, the
-- database read every action of the status and sorted them for each page: 30 ms for the 46,268
-- open actions of the scale data set. This one answers "status = ? AND id > ? ORDER BY id
-- LIMIT n" by reading n entries.
CREATE INDEX corrective_actions_status_id ON corrective_actions (status, id);

-- +goose Down
DROP INDEX corrective_actions_status_id;
