-- +goose Up
-- Environmental impact estimates (transparency.md §4). The factors per device of each category
-- are data, published in versions that never change, like the charter: each row is one version,
-- its factors in the store's own JSON format (store/impact.go). seq numbers the versions in the
-- order they were published; the last one is in force. The default version, the marketplace's
-- published figures per refurbished smartphone (audit/impact_factors_2026.1.json, in the API's
-- form; a test holds the two to the same factors), is published here, so that every database
-- has factors from its first migration on. Tablets and laptops have none until an operator
-- publishes a version with theirs.
CREATE TABLE impact_factors (
    seq        INTEGER PRIMARY KEY AUTOINCREMENT,
    version    TEXT NOT NULL UNIQUE,
    document   TEXT NOT NULL,
    created_at DATETIME NOT NULL,
    created_by TEXT NOT NULL
);
INSERT INTO impact_factors (version, document, created_at, created_by) VALUES ('2026.1',
    '{"factors":[{"category":"smartphone","co2e_kg":77.31,"ewaste_kg":0.1783,"raw_materials_kg":243.6,"water_l":77000,"source":"The marketplace''s published figures per refurbished smartphone bought instead of a new one: 170.44 lb (77.31 kg) CO2e, 6.29 oz (178.3 g) e-waste, 537.05 lb (243.60 kg) raw materials, 20,341.24 US gal (77,000 L) water."}]}',
    '2026-01-01 00:00:00+00:00', 'migration 00014');

-- An estimate counts a period's inspected units by seller and category: the covering index of
-- the audit (00002) carries the category too, so that the marketplace's estimate of a period
-- reads the index alone, as the audit does; and the index of a seller's bench tests by date
-- carries what a seller's estimate reads (its status, category and id), so that each report's
-- estimate reads the index alone rather than every full row of the seller's period, which a run
-- of every report would read from disk. bench_tests keeps the same number of indexes.
DROP INDEX bench_tests_seller_tested;
CREATE INDEX bench_tests_seller_tested ON bench_tests (seller_id, tested_at, status, category, id);
DROP INDEX bench_tests_audit;
CREATE INDEX bench_tests_audit ON bench_tests (
    tested_at, seller_id, status, functional, battery_health, non_genuine_parts, parts_disclosed,
    display_like_for_like, liquid_damage, activation_lock, imei_status, data_erased, factory_reset,
    os_up_to_date, markings_intact, id, category
);

-- +goose Down
DROP INDEX bench_tests_seller_tested;
CREATE INDEX bench_tests_seller_tested ON bench_tests (seller_id, tested_at);
DROP INDEX bench_tests_audit;
CREATE INDEX bench_tests_audit ON bench_tests (
    tested_at, seller_id, status, functional, battery_health, non_genuine_parts, parts_disclosed,
    display_like_for_like, liquid_damage, activation_lock, imei_status, data_erased, factory_reset,
    os_up_to_date, markings_intact, id
);
DROP TABLE impact_factors;
