-- API tokens and the audit log of the library service (portable SQL: SQLite and PostgreSQL).
CREATE TABLE IF NOT EXISTS api_tokens (
    id         INTEGER PRIMARY KEY,
    name       TEXT NOT NULL UNIQUE,
    role       TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL,
    last_used  TEXT NULL,
    revoked_at TEXT NULL
);
CREATE TABLE IF NOT EXISTS audit_log (
    id       INTEGER PRIMARY KEY,
    at       TEXT NOT NULL,
    who      TEXT NOT NULL,
    uid      INTEGER NULL,
    role     TEXT NULL,
    action   TEXT NOT NULL,
    target   TEXT NULL,
    result   TEXT NOT NULL,
    detail   TEXT NULL
);
CREATE INDEX IF NOT EXISTS audit_log_at ON audit_log (at);
