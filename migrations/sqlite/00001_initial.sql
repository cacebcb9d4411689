-- +goose Up
CREATE TABLE sellers (
    id            TEXT PRIMARY KEY,
    name          TEXT NOT NULL,
    country       TEXT NOT NULL,
    contact_email TEXT NOT NULL,
    created_at    DATETIME NOT NULL
);

CREATE TABLE api_keys (
    id           TEXT PRIMARY KEY,
    name         TEXT NOT NULL,
    role         TEXT NOT NULL CHECK (role IN ('admin', 'manager', 'technician', 'seller')),
    seller_id    TEXT REFERENCES sellers (id),
    token_hash   BLOB NOT NULL UNIQUE,
    created_at   DATETIME NOT NULL,
    expires_at   DATETIME,
    last_used_at DATETIME,
    revoked_at   DATETIME,
    CHECK ((role = 'seller') = (seller_id IS NOT NULL))
);

CREATE TABLE bench_tests (
    id                    TEXT PRIMARY KEY,
    seller_id             TEXT NOT NULL REFERENCES sellers (id),
    lab                   TEXT NOT NULL,
    tested_at             DATETIME NOT NULL,
    listed_grade          TEXT,
    external_id           TEXT,
    technician_key_id     TEXT NOT NULL,
    supersedes            TEXT REFERENCES bench_tests (id),
    inspection            TEXT NOT NULL,
    category              TEXT NOT NULL,
    brand                 TEXT NOT NULL,
    model                 TEXT NOT NULL,
    imei                  TEXT NOT NULL,
    serial                TEXT NOT NULL,
    ruleset               TEXT NOT NULL,
    status                TEXT NOT NULL,
    functional            TEXT,
    cosmetic              TEXT NOT NULL,
    marketplace           TEXT,
    reasons               TEXT NOT NULL,
    grade_match           TEXT,
    battery_health        REAL NOT NULL,
    battery_genuine       BOOLEAN NOT NULL,
    non_genuine_parts     BOOLEAN NOT NULL,
    parts_disclosed       BOOLEAN NOT NULL,
    activation_lock       BOOLEAN NOT NULL,
    imei_status           TEXT NOT NULL,
    liquid_damage         BOOLEAN NOT NULL,
    data_erased           BOOLEAN NOT NULL,
    factory_reset         BOOLEAN NOT NULL,
    os_up_to_date         BOOLEAN NOT NULL,
    markings_intact       BOOLEAN NOT NULL,
    display_like_for_like BOOLEAN NOT NULL,
    created_at            DATETIME NOT NULL
);
CREATE UNIQUE INDEX bench_tests_external ON bench_tests (seller_id, external_id) WHERE external_id IS NOT NULL AND supersedes IS NULL;
CREATE INDEX bench_tests_seller_tested ON bench_tests (seller_id, tested_at);
CREATE INDEX bench_tests_tested ON bench_tests (tested_at);
CREATE INDEX bench_tests_supersedes ON bench_tests (supersedes) WHERE supersedes IS NOT NULL;

CREATE TABLE mystery_orders (
    id                       TEXT PRIMARY KEY,
    seller_id                TEXT NOT NULL REFERENCES sellers (id),
    order_ref                TEXT NOT NULL,
    ordered_at               DATETIME NOT NULL,
    shipped_at               DATETIME,
    delivered_at             DATETIME,
    listed_grade             TEXT NOT NULL,
    technician_key_id        TEXT NOT NULL,
    supersedes               TEXT REFERENCES mystery_orders (id),
    inspection               TEXT NOT NULL,
    packaging_adequate       BOOLEAN NOT NULL,
    transit_damage           BOOLEAN NOT NULL,
    charge_on_arrival_pct    REAL NOT NULL,
    cable_included           BOOLEAN NOT NULL,
    charger_as_listed        BOOLEAN NOT NULL,
    identity_matches_listing BOOLEAN NOT NULL,
    probe_sent_at            DATETIME,
    probe_answered_at        DATETIME,
    category                 TEXT NOT NULL,
    brand                    TEXT NOT NULL,
    model                    TEXT NOT NULL,
    imei                     TEXT NOT NULL,
    serial                   TEXT NOT NULL,
    ruleset                  TEXT NOT NULL,
    status                   TEXT NOT NULL,
    functional               TEXT,
    cosmetic                 TEXT NOT NULL,
    marketplace              TEXT,
    reasons                  TEXT NOT NULL,
    grade_match              TEXT NOT NULL,
    battery_health           REAL NOT NULL,
    battery_genuine          BOOLEAN NOT NULL,
    non_genuine_parts        BOOLEAN NOT NULL,
    parts_disclosed          BOOLEAN NOT NULL,
    activation_lock          BOOLEAN NOT NULL,
    imei_status              TEXT NOT NULL,
    liquid_damage            BOOLEAN NOT NULL,
    data_erased              BOOLEAN NOT NULL,
    factory_reset            BOOLEAN NOT NULL,
    os_up_to_date            BOOLEAN NOT NULL,
    markings_intact          BOOLEAN NOT NULL,
    display_like_for_like    BOOLEAN NOT NULL,
    shipped_within_1bd       BOOLEAN NOT NULL,
    packaging_failure        BOOLEAN NOT NULL,
    low_charge               BOOLEAN NOT NULL,
    accessories_ok           BOOLEAN NOT NULL,
    probe_answered_in_time   BOOLEAN,
    created_at               DATETIME NOT NULL
);
CREATE UNIQUE INDEX mystery_orders_ref ON mystery_orders (seller_id, order_ref) WHERE supersedes IS NULL;
CREATE INDEX mystery_orders_seller_ordered ON mystery_orders (seller_id, ordered_at);
CREATE INDEX mystery_orders_ordered ON mystery_orders (ordered_at);
CREATE INDEX mystery_orders_supersedes ON mystery_orders (supersedes) WHERE supersedes IS NOT NULL;

CREATE TABLE kpi_months (
    id                            TEXT PRIMARY KEY,
    seller_id                     TEXT NOT NULL REFERENCES sellers (id),
    month                         TEXT NOT NULL,
    orders                        INTEGER NOT NULL,
    shipped_late                  INTEGER NOT NULL,
    valid_tracking                INTEGER NOT NULL,
    cancelled_before_shipment     INTEGER NOT NULL,
    technical_returns_30d         INTEGER NOT NULL,
    defective_orders              INTEGER NOT NULL,
    messages_received             INTEGER NOT NULL,
    messages_answered_within_1bd  INTEGER NOT NULL,
    warranty_claims               INTEGER NOT NULL,
    warranty_remedied_within_5bd  INTEGER NOT NULL,
    warranty_months               INTEGER NOT NULL,
    updated_at                    DATETIME NOT NULL,
    UNIQUE (seller_id, month)
);
CREATE INDEX kpi_months_month ON kpi_months (month);

CREATE TABLE charters (
    version    TEXT PRIMARY KEY,
    document   TEXT NOT NULL,
    created_at DATETIME NOT NULL,
    created_by TEXT NOT NULL
);

-- The active charter is a pointer, kept apart so that charter rows are never updated.
CREATE TABLE charter_activations (
    id           TEXT PRIMARY KEY,
    version      TEXT NOT NULL REFERENCES charters (version),
    activated_at DATETIME NOT NULL,
    activated_by TEXT NOT NULL
);
CREATE INDEX charter_activations_at ON charter_activations (activated_at, id);

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
    created_at       DATETIME NOT NULL,
    UNIQUE (seller_id, period_start, period_end, charter_version)
);
CREATE INDEX scorecards_seller ON scorecards (seller_id, id);

CREATE TABLE scorecard_reviews (
    scorecard_id TEXT PRIMARY KEY REFERENCES scorecards (id),
    approved_by  TEXT NOT NULL,
    comment      TEXT NOT NULL,
    approved_at  DATETIME NOT NULL
);

CREATE TABLE corrective_actions (
    id                TEXT PRIMARY KEY,
    seller_id         TEXT NOT NULL REFERENCES sellers (id),
    scorecard_id      TEXT NOT NULL REFERENCES scorecards (id),
    point_code        TEXT NOT NULL,
    severity          TEXT NOT NULL,
    status            TEXT NOT NULL,
    due_at            DATETIME NOT NULL,
    plan_root_cause   TEXT,
    plan_actions      TEXT,
    plan_submitted_at DATETIME,
    plan_submitted_by TEXT,
    closing_note      TEXT,
    closed_at         DATETIME,
    closed_by         TEXT,
    created_at        DATETIME NOT NULL,
    UNIQUE (scorecard_id, point_code)
);
CREATE INDEX corrective_actions_seller_due ON corrective_actions (seller_id, due_at);
CREATE INDEX corrective_actions_due ON corrective_actions (due_at);

CREATE TABLE events (
    id        TEXT PRIMARY KEY,
    at        DATETIME NOT NULL,
    key_id    TEXT NOT NULL,
    role      TEXT NOT NULL,
    action    TEXT NOT NULL,
    entity    TEXT NOT NULL,
    entity_id TEXT NOT NULL
);
CREATE INDEX events_entity ON events (entity, entity_id);
CREATE INDEX events_key ON events (key_id);

-- +goose Down
DROP TABLE events;
DROP TABLE corrective_actions;
DROP TABLE scorecard_reviews;
DROP TABLE scorecards;
DROP TABLE charter_activations;
DROP TABLE charters;
DROP TABLE kpi_months;
DROP TABLE mystery_orders;
DROP TABLE bench_tests;
DROP TABLE api_keys;
DROP TABLE sellers;
