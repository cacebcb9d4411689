-- +goose Up
-- A lot's sample positions move out of its row into a table of their own (issue 15). They are
-- written once, when the lot is created, and never change, but every sample reads and rewrites
-- the lot's row to count itself: with 2,000 positions in it (about 14 KB, on overflow pages),
-- each sample read them back and wrote them again. The row the write reads is now a few
-- hundred bytes; the positions are read only to show the lot.
CREATE TABLE lot_positions (
    lot_id    TEXT PRIMARY KEY REFERENCES lots (id),
    positions TEXT NOT NULL
);
INSERT INTO lot_positions (lot_id, positions) SELECT id, sample_positions FROM lots;
ALTER TABLE lots DROP COLUMN sample_positions;

-- +goose Down
ALTER TABLE lots ADD COLUMN sample_positions TEXT NOT NULL DEFAULT '[]';
UPDATE lots SET sample_positions = (SELECT positions FROM lot_positions WHERE lot_positions.lot_id = lots.id)
    WHERE EXISTS (SELECT 1 FROM lot_positions WHERE lot_positions.lot_id = lots.id);
DROP TABLE lot_positions;
