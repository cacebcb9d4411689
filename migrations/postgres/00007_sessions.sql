-- +goose Up
-- The console's sessions, kept server-side so that several instances share them (console.md,
-- "People and sign-in"): the table is exactly the one scs's postgresstore reads and writes, a
-- random token, the encoded session data and its expiry, which the store compares with
-- current_timestamp. The index serves the store's sweep of expired sessions.
CREATE TABLE sessions (
    token  TEXT PRIMARY KEY,
    data   BYTEA NOT NULL,
    expiry TIMESTAMPTZ NOT NULL
);
CREATE INDEX sessions_expiry ON sessions (expiry);

-- +goose Down
DROP TABLE sessions;
