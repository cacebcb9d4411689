-- +goose Up
-- Where each seller stands (audit.StandingOf): its latest approved scorecard, and the latest
-- approved one before it that has a score, for the trend. The managers' seller list and
-- overview read every seller at once on each page view; ranking every approved scorecard of
-- every seller there would cost more with each month of history, so the standing is kept
-- here, one row per seller that has an approved scorecard, and rewritten by the store in the
-- transaction of each approval (the only way a scorecard becomes approved), by the domain's
-- rule (store's refreshStanding); the backfill below is that rule in SQL, over every seller.
CREATE TABLE seller_standings (
    seller_id      TEXT PRIMARY KEY REFERENCES sellers (id),
    scorecard_id   TEXT NOT NULL REFERENCES scorecards (id),
    period_start   TEXT NOT NULL,
    period_end     TEXT NOT NULL,
    score          REAL,
    tier           TEXT NOT NULL,
    previous_id    TEXT REFERENCES scorecards (id),
    previous_start TEXT,
    previous_end   TEXT,
    previous_tier  TEXT,
    previous_score REAL
);
CREATE INDEX seller_standings_tier ON seller_standings (tier);

INSERT INTO seller_standings (seller_id, scorecard_id, period_start, period_end, score, tier,
                              previous_id, previous_start, previous_end, previous_tier, previous_score)
WITH approved AS (
    SELECT s.seller_id, s.id, s.period_start, s.period_end, s.score, s.tier,
           ROW_NUMBER() OVER (PARTITION BY s.seller_id
                              ORDER BY s.period_end DESC, s.period_start DESC, s.created_at DESC, s.id DESC) AS rn
    FROM scorecards s JOIN scorecard_reviews r ON r.scorecard_id = s.id
), earlier AS (
    SELECT a.seller_id, a.id, a.period_start, a.period_end, a.tier, a.score,
           ROW_NUMBER() OVER (PARTITION BY a.seller_id ORDER BY a.rn) AS k
    FROM approved a WHERE a.rn > 1 AND a.score IS NOT NULL
)
SELECT l.seller_id, l.id, l.period_start, l.period_end, l.score, l.tier,
       e.id, e.period_start, e.period_end, e.tier, e.score
FROM approved l LEFT JOIN earlier e ON e.seller_id = l.seller_id AND e.k = 1
WHERE l.rn = 1;

-- The overview counts the draft slots of each period.
CREATE INDEX scorecard_drafts_period ON scorecard_drafts (period_start, period_end);

-- The review queue of a period reads the scorecards of the period that are in a draft slot,
-- from this index alone: the scorecard rows hold the points document, many times larger than
-- what the queue shows.
CREATE INDEX scorecards_review ON scorecards (period_start, period_end, id, seller_id, charter_version, score, tier,
                                              evaluated_points, failed_points, failed_critical);

-- The overview counts the plans waiting for verification and the actions past due.
CREATE INDEX corrective_actions_status ON corrective_actions (status, due_at);

-- A seller's page counts its records in force: every record less the corrections, which
-- these small indexes hold (a count of the corrections would otherwise read every row).
CREATE INDEX bench_tests_seller_corrections ON bench_tests (seller_id) WHERE supersedes IS NOT NULL;
CREATE INDEX mystery_orders_seller_corrections ON mystery_orders (seller_id) WHERE supersedes IS NOT NULL;

-- +goose Down
DROP INDEX mystery_orders_seller_corrections;
DROP INDEX bench_tests_seller_corrections;
DROP INDEX corrective_actions_status;
DROP INDEX scorecards_review;
DROP INDEX scorecard_drafts_period;
DROP TABLE seller_standings;
