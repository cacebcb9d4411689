-- +goose Up
-- The audit reads every bench test of a period, column by column of what the charter checks.
-- This index carries exactly those columns, so that the audit of a whole marketplace can be an
-- index-only scan instead of fetching each (large) row: the raw inspection JSON makes the table
-- many times bigger than the flags the audit needs.
CREATE INDEX bench_tests_audit ON bench_tests (tested_at) INCLUDE (
    seller_id, status, functional, battery_health, non_genuine_parts, parts_disclosed,
    display_like_for_like, liquid_damage, activation_lock, imei_status, data_erased, factory_reset,
    os_up_to_date, markings_intact, id
);

-- +goose Down
DROP INDEX bench_tests_audit;
