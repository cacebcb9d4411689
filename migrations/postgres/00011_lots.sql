-- +goose Up
-- Lot inspection by sampling (lots.md). A stream is the sequence of lots of one source (a
-- seller's devices, or one supplier's parts of one type), with its switching state; source_key
-- names the source once, so that the first lots of a source racing each other create one
-- stream. A lot keeps what it states, its plan's inputs and its tally (the counts of each
-- class), so that adding a sample reads and writes one lot row, never its samples. A sample's
-- number is unique in its lot and a bench test is sampled at most once, which the unique
-- indexes hold against concurrent writers.
CREATE TABLE lot_streams (
    id            TEXT PRIMARY KEY,
    kind          TEXT NOT NULL,
    source_key    TEXT NOT NULL UNIQUE,
    seller_id     TEXT REFERENCES sellers (id),
    supplier      TEXT,
    part_type     TEXT,
    state         TEXT NOT NULL,
    run           INTEGER NOT NULL,
    rejections    INTEGER NOT NULL,
    lots_decided  INTEGER NOT NULL,
    lots_rejected INTEGER NOT NULL,
    resumed_at    TIMESTAMPTZ,
    resumed_by    TEXT,
    resume_note   TEXT,
    created_at    TIMESTAMPTZ NOT NULL
);
CREATE INDEX lot_streams_seller ON lot_streams (seller_id, id);
CREATE INDEX lot_streams_supplier ON lot_streams (supplier, id);

CREATE TABLE lots (
    id                    TEXT PRIMARY KEY,
    kind                  TEXT NOT NULL,
    stream_id             TEXT NOT NULL REFERENCES lot_streams (id),
    lot_ref               TEXT NOT NULL,
    lot_size              INTEGER NOT NULL,
    inspection_level      TEXT NOT NULL,
    severity              TEXT NOT NULL,
    aql_major             INTEGER NOT NULL,
    aql_minor             INTEGER NOT NULL,
    seller_id             TEXT REFERENCES sellers (id),
    listed_grade          TEXT NOT NULL,
    supplier              TEXT,
    part_type             TEXT,
    received_at           TIMESTAMPTZ NOT NULL,
    code_letter           TEXT NOT NULL,
    sample_size           INTEGER NOT NULL,
    sample_positions      TEXT NOT NULL,
    samples_received      INTEGER NOT NULL,
    critical_inspected    INTEGER NOT NULL,
    critical_nonconforming INTEGER NOT NULL,
    major_inspected       INTEGER NOT NULL,
    major_nonconforming   INTEGER NOT NULL,
    minor_inspected       INTEGER NOT NULL,
    minor_nonconforming   INTEGER NOT NULL,
    decision              TEXT NOT NULL,
    decided_at            TIMESTAMPTZ,
    created_at            TIMESTAMPTZ NOT NULL,
    created_by            TEXT NOT NULL,
    UNIQUE (stream_id, lot_ref)
);
CREATE INDEX lots_seller ON lots (seller_id, id);
CREATE INDEX lots_supplier ON lots (supplier, id);
CREATE INDEX lots_decided ON lots (kind, decided_at);

CREATE TABLE lot_samples (
    id            TEXT PRIMARY KEY,
    lot_id        TEXT NOT NULL REFERENCES lots (id),
    number        INTEGER NOT NULL,
    bench_test_id TEXT UNIQUE REFERENCES bench_tests (id),
    serial        TEXT NOT NULL,
    defects       TEXT NOT NULL,
    critical      BOOLEAN NOT NULL,
    major         BOOLEAN NOT NULL,
    minor         BOOLEAN NOT NULL,
    created_at    TIMESTAMPTZ NOT NULL,
    created_by    TEXT NOT NULL,
    UNIQUE (lot_id, number)
);

-- +goose Down
DROP TABLE lot_samples;
DROP TABLE lots;
DROP TABLE lot_streams;
