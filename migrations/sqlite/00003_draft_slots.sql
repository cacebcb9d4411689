-- +goose Up
-- A seller may hold, for one period and charter version, any number of approved scorecards
-- (an approved scorecard never changes, and a re-audit after approval adds a new draft beside
-- it) but at most one draft. The unique key of 00001 on (seller, period, version) is dropped,
-- and the "one draft" rule moves to scorecard_drafts: one row, the draft slot, per seller,
-- period and version, naming the current draft. An audit deletes the old draft with its slot
-- and inserts the new draft with its slot; approval deletes the slot. Two audits racing each
-- other (two processes on one database) cannot both fill a slot: the primary key refuses the
-- second.
--
-- SQLite cannot drop a table constraint, so scorecards is rebuilt. goose runs this file in a
-- transaction, where PRAGMA foreign_keys cannot change; the rows of scorecard_reviews and
-- corrective_actions that point at scorecards stay checked. defer_foreign_keys moves those
-- checks to COMMIT: dropping scorecards counts every child row as dangling, and re-inserting
-- each parent row counts its children back, so the commit succeeds only if every reference is
-- whole again. (Renaming a new table over the old one would not work: the rename does not
-- count the children back, and the commit would fail.)
PRAGMA defer_foreign_keys = ON;

CREATE TEMP TABLE scorecards_v2 AS SELECT * FROM scorecards;

DROP TABLE scorecards;

-- Scorecard rows are written once. Approval is a row of scorecard_reviews, so that an
-- approved scorecard has no update path at all.
CREATE TABLE scorecards (
    id               TEXT PRIMARY KEY,
    seller_id        TEXT NOT NULL REFERENCES sellers (id),
    period_start     TEXT NOT NULL,
    period_end       TEXT NOT NULL,
    charter_version  TEXT NOT NULL REFERENCES charters (version),
    score            REAL,
    tier             TEXT NOT NULL,
    evaluated_points INTEGER NOT NULL,
    failed_points    INTEGER NOT NULL,
    failed_critical  INTEGER NOT NULL,
    points           TEXT NOT NULL,
    created_at       DATETIME NOT NULL
);

INSERT INTO scorecards (id, seller_id, period_start, period_end, charter_version, score, tier,
                        evaluated_points, failed_points, failed_critical, points, created_at)
SELECT id, seller_id, period_start, period_end, charter_version, score, tier,
       evaluated_points, failed_points, failed_critical, points, created_at
FROM scorecards_v2;

DROP TABLE scorecards_v2;

CREATE INDEX scorecards_seller ON scorecards (seller_id, id);
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
PRAGMA defer_foreign_keys = ON;

DROP TABLE scorecard_drafts;

CREATE TEMP TABLE scorecards_v3 AS SELECT * FROM scorecards;

DROP TABLE scorecards;

CREATE TABLE scorecards (
    id               TEXT PRIMARY KEY,
    seller_id        TEXT NOT NULL REFERENCES sellers (id),
    period_start     TEXT NOT NULL,
    period_end       TEXT NOT NULL,
    charter_version  TEXT NOT NULL REFERENCES charters (version),
    score            REAL,
    tier             TEXT NOT NULL,
    evaluated_points INTEGER NOT NULL,
    failed_points    INTEGER NOT NULL,
    failed_critical  INTEGER NOT NULL,
    points           TEXT NOT NULL,
    created_at       DATETIME NOT NULL,
    UNIQUE (seller_id, period_start, period_end, charter_version)
);

INSERT INTO scorecards (id, seller_id, period_start, period_end, charter_version, score, tier,
                        evaluated_points, failed_points, failed_critical, points, created_at)
SELECT id, seller_id, period_start, period_end, charter_version, score, tier,
       evaluated_points, failed_points, failed_critical, points, created_at
FROM scorecards_v3;

DROP TABLE scorecards_v3;

CREATE INDEX scorecards_seller ON scorecards (seller_id, id);
