-- +goose Up
-- Public quality profiles (transparency.md §2). A seller's profile is public unless a manager
-- hides it: the flag is on the seller's row, true by default, so that every seller registered
-- before this migration keeps a public profile, as a new one gets.
ALTER TABLE sellers ADD COLUMN profile_public BOOLEAN NOT NULL DEFAULT TRUE;

-- A public profile shows a seller's latest approved scorecards, latest first in the order of
-- audit.CompareScorecards (period end, period start, creation, id). This index answers
-- "seller_id = ? ORDER BY period_end DESC, period_start DESC, created_at DESC, id DESC LIMIT n"
-- in its order, without a sort, and covers what the trend shows (an index-only scan once the
-- table is vacuumed): the rows, with their points documents, are not read for it.
CREATE INDEX scorecards_seller_latest ON scorecards (seller_id, period_end, period_start, created_at, id,
                                                    charter_version, score, tier);

-- +goose Down
DROP INDEX scorecards_seller_latest;
ALTER TABLE sellers DROP COLUMN profile_public;
