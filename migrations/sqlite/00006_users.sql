-- +goose Up
-- Accounts of people, beside the API keys of machines (console.md, "People and sign-in"): the
-- same four roles, a seller user bound to its seller, an email stored normalised (trimmed and
-- lower-cased) and unique, and only the bcrypt hash of the password.
CREATE TABLE users (
    id            TEXT PRIMARY KEY,
    email         TEXT NOT NULL UNIQUE CHECK (email = lower(email) AND email <> ''),
    name          TEXT NOT NULL,
    role          TEXT NOT NULL CHECK (role IN ('admin', 'manager', 'technician', 'seller')),
    seller_id     TEXT REFERENCES sellers (id),
    password_hash TEXT NOT NULL,
    created_at    DATETIME NOT NULL,
    disabled_at   DATETIME,
    CHECK ((role = 'seller') = (seller_id IS NOT NULL))
);

-- +goose Down
DROP TABLE users;
