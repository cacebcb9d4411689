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
-- it was compared with is still the period's, on whichever process approved.
CREATE TABLE benchmark_values (
    period_start TEXT NOT NULL,
    period_end   TEXT NOT NULL,
    scorecard_id TEXT NOT NULL REFERENCES scorecards (id),
    code         TEXT NOT NULL,
    seller_id    TEXT NOT NULL,
    created_at   DATETIME NOT NULL,
    metric       TEXT NOT NULL,
    value        REAL NOT NULL,
    PRIMARY KEY (period_start, period_end, scorecard_id, code)
) WITHOUT ROWID;

CREATE TABLE benchmark_versions (
    period_start TEXT NOT NULL,
    period_end   TEXT NOT NULL,
    version      INTEGER NOT NULL,
    PRIMARY KEY (period_start, period_end)
) WITHOUT ROWID;

-- The scorecards approved before this migration: audit.BenchmarkValues in SQL over the
-- store's points document (store/benchmarks_test.go holds the two to the same rows).
INSERT INTO benchmark_values (period_start, period_end, scorecard_id, code, seller_id, created_at, metric, value)
SELECT s.period_start, s.period_end, s.id, json_extract(p.value, '$.code'), s.seller_id, s.created_at,
       json_extract(p.value, '$.metric'), json_extract(p.value, '$.value')
FROM scorecards s JOIN scorecard_reviews r ON r.scorecard_id = s.id, json_each(s.points) p
WHERE json_extract(p.value, '$.status') IN ('pass', 'fail');

INSERT INTO benchmark_versions (period_start, period_end, version)
SELECT s.period_start, s.period_end, count(*)
FROM scorecards s JOIN scorecard_reviews r ON r.scorecard_id = s.id
GROUP BY s.period_start, s.period_end;

-- +goose Down
DROP TABLE benchmark_versions;
DROP TABLE benchmark_values;
