-- +goose Up
-- The marketplace benchmarks (transparency.md §3, audit/benchmark.go). benchmark_values holds
-- what each approved scorecard contributes to the benchmark of its period: one row per point
-- it evaluated (pass or fail), the domain's audit.BenchmarkValues, written by the store in the
-- transaction of the approval, the only way a scorecard becomes approved, and never changed
-- since an approved scorecard never changes. A period's benchmark reads its rows alone, by the
-- primary key, instead of every approved scorecard's points document.
--
-- benchmark_versions counts the approvals of each period: the version of its benchmark. Every
-- read of an approved scorecard reads it (one row by its key) to tell whether the benchmark
-- it was compared with is still the period's, on whichever instance approved.
CREATE TABLE benchmark_values (
    period_start TEXT NOT NULL,
    period_end   TEXT NOT NULL,
    scorecard_id TEXT NOT NULL REFERENCES scorecards (id),
    code         TEXT NOT NULL,
    seller_id    TEXT NOT NULL,
    created_at   TIMESTAMPTZ NOT NULL,
    metric       TEXT NOT NULL,
    value        DOUBLE PRECISION NOT NULL,
    PRIMARY KEY (period_start, period_end, scorecard_id, code)
);

CREATE TABLE benchmark_versions (
    period_start TEXT NOT NULL,
    period_end   TEXT NOT NULL,
    version      BIGINT NOT NULL,
    PRIMARY KEY (period_start, period_end)
);

-- The scorecards approved before this migration: audit.BenchmarkValues in SQL over the
-- store's points document (store/benchmarks_test.go holds the two to the same rows).
INSERT INTO benchmark_values (period_start, period_end, scorecard_id, code, seller_id, created_at, metric, value)
SELECT s.period_start, s.period_end, s.id, p ->> 'code', s.seller_id, s.created_at,
       p ->> 'metric', (p ->> 'value')::double precision
FROM scorecards s JOIN scorecard_reviews r ON r.scorecard_id = s.id
CROSS JOIN LATERAL jsonb_array_elements(s.points::jsonb) AS p
WHERE p ->> 'status' IN ('pass', 'fail');

INSERT INTO benchmark_versions (period_start, period_end, version)
SELECT s.period_start, s.period_end, count(*)
FROM scorecards s JOIN scorecard_reviews r ON r.scorecard_id = s.id
GROUP BY s.period_start, s.period_end;

-- +goose Down
DROP TABLE benchmark_versions;
DROP TABLE benchmark_values;
