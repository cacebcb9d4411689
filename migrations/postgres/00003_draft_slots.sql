-- +goose Up
-- A seller may hold, for one period and charter version, any number of approved scorecards
-- (an approved scorecard never changes, and a re-audit after approval adds a new draft beside
-- it) but at most one draft. The unique key of 00001 on (seller, period, version) is dropped,
-- and the "one draft" rule moves to scorecard_drafts: one row, the draft slot, per seller,
-- period and version, naming the current draft. An audit deletes the old draft with its slot
-- and inserts the new draft with its slot; approval deletes the slot. Two audits racing each
-- other (two processes on one database) cannot both fill a slot: the primary key refuses the
-- second. (The audit advisory lock makes them wait for each other first.)
--
-- The constraint name is the one PostgreSQL chose for the UNIQUE of 00001 (its 63-character
-- limit cuts "version" short).
ALTER TABLE scorecards DROP CONSTRAINT scorecards_seller_id_period_start_period_end_charter_versio_key;

CREATE INDEX scorecards_period ON scorecards (seller_id, period_start, period_end, charter_version);

-- The draft slots. scorecard_id is unique too: approval finds the slot by its scorecard.
CREATE TABLE scorecard_drafts (
    seller_id       TEXT NOT NULL,
    period_start    TEXT NOT NULL,
    period_end      TEXT NOT NULL,
    charter_version TEXT NOT NULL,
    scorecard_id    TEXT NOT NULL UNIQUE REFERENCES scorecards (id),
    PRIMARY KEY (seller_id, period_start, period_end, charter_version)
);

-- Every scorecard without a review is a draft; the old unique key guarantees one per slot.
INSERT INTO scorecard_drafts (seller_id, period_start, period_end, charter_version, scorecard_id)
SELECT s.seller_id, s.period_start, s.period_end, s.charter_version, s.id
FROM scorecards s
WHERE NOT EXISTS (SELECT 1 FROM scorecard_reviews r WHERE r.scorecard_id = s.id);

-- +goose Down
-- Restoring the unique key fails while a seller has an approved scorecard and a draft of the
-- same period and charter version: delete one of them first.
DROP TABLE scorecard_drafts;
DROP INDEX scorecards_period;
ALTER TABLE scorecards ADD CONSTRAINT scorecards_seller_id_period_start_period_end_charter_versio_key
    UNIQUE (seller_id, period_start, period_end, charter_version);
