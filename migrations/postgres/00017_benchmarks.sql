-- +goose Up
-- The marketplace benchmarks (transparency.md §3, audit/benchmark.go). benchmark_scorecards
-- holds what each approved scorecard contributes to the benchmark of its period: the value of
-- every point it evaluated (pass or fail), the domain's audit.BenchmarkValues, written by the
-- store in the transaction of the approval, the only way a scorecard becomes approved, and
-- never changed since an approved scorecard never changes. A period's benchmark reads one
-- short row per approved scorecard of the period, along the primary key, instead of every
-- approved scorecard's points document with its evidence. points is the store's own format:
-- one line per point, "code<TAB>metric<TAB>value", the value a number as JSON writes it (codes
-- and metric names hold neither tabs nor line breaks).
--
-- benchmark_versions counts the approvals of each period: the version of its benchmark. Every
-- read of an approved scorecard reads it (one row by its key) to tell whether the benchmark
-- it was compared with is still the period's, on whichever process approved.
CREATE TABLE benchmark_scorecards (
    period_start TEXT NOT NULL,
    period_end   TEXT NOT NULL,
    scorecard_id TEXT NOT NULL REFERENCES scorecards (id),
    seller_id    TEXT NOT NULL,
    created_at   TIMESTAMPTZ NOT NULL,
    points       TEXT NOT NULL,
    PRIMARY KEY (period_start, period_end, scorecard_id)
);

CREATE TABLE benchmark_versions (
    period_start TEXT NOT NULL,
    period_end   TEXT NOT NULL,
    version      BIGINT NOT NULL,
    PRIMARY KEY (period_start, period_end)
);

-- The scorecards approved before this migration: audit.BenchmarkValues in SQL over the
-- store's points document, each value's JSON text as it is stored (store/benchmarks_test.go
-- holds the two to the same values, to the bit).
INSERT INTO benchmark_scorecards (period_start, period_end, scorecard_id, seller_id, created_at, points)
SELECT s.period_start, s.period_end, s.id, s.seller_id, s.created_at,
       coalesce((SELECT string_agg((e.doc ->> 'code') || E'\t' || (e.doc ->> 'metric') || E'\t' || (e.doc -> 'value')::text,
                                   E'\n' ORDER BY e.ord)
                 FROM jsonb_array_elements(s.points::jsonb) WITH ORDINALITY AS e (doc, ord)
                 WHERE e.doc ->> 'status' IN ('pass', 'fail')), '')
FROM scorecards s JOIN scorecard_reviews r ON r.scorecard_id = s.id;

INSERT INTO benchmark_versions (period_start, period_end, version)
SELECT s.period_start, s.period_end, count(*)
FROM scorecards s JOIN scorecard_reviews r ON r.scorecard_id = s.id
GROUP BY s.period_start, s.period_end;

-- +goose Down
DROP TABLE benchmark_versions;
DROP TABLE benchmark_scorecards;
