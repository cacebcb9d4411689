-- +goose Up
-- A re-audit of a seller, period and charter version that already has a draft no longer
-- deletes that draft: the older draft stays, unchanged, and becomes superseded by the new one.
-- Like approval (a row of scorecard_reviews), superseding inserts a row here and never updates
-- a scorecard, so a scorecard row is still written once. A scorecard is superseded at most once
-- (the primary key) and replaces at most one (superseded_by is unique), so the drafts of one
-- slot form a single chain even if two audits raced past the audit lock; the draft slot
-- (scorecard_drafts) names the one current draft at its end.
CREATE TABLE scorecard_supersessions (
    scorecard_id  TEXT PRIMARY KEY REFERENCES scorecards (id),
    superseded_by TEXT NOT NULL UNIQUE REFERENCES scorecards (id),
    superseded_at TIMESTAMPTZ NOT NULL
);

-- +goose Down
-- Before this version a slot kept one draft and a re-audit deleted the older ones: the
-- superseded drafts are deleted (nothing refers to them but this table: a superseded draft
-- was never approved, so it has no review and no corrective action).
CREATE TEMP TABLE superseded_v4 AS SELECT scorecard_id FROM scorecard_supersessions;
DROP TABLE scorecard_supersessions;
DELETE FROM scorecards WHERE id IN (SELECT scorecard_id FROM superseded_v4);
DROP TABLE superseded_v4;
