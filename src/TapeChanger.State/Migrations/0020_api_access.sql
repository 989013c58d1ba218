-- The library service's API tokens (only each token's SHA-256 is kept) and the audit log of every mutation.
CREATE TABLE api_tokens (
    id         INTEGER NOT NULL PRIMARY KEY,
    name       TEXT NOT NULL UNIQUE,
    role       TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL,
    revoked_at TEXT
);

-- Who (token name or Unix user, uid from the socket), what, on what, when, and how it ended.
CREATE TABLE audit_log (
    id     INTEGER NOT NULL PRIMARY KEY,
    at     TEXT NOT NULL,
    who    TEXT NOT NULL,
    uid    BIGINT,
    role   TEXT,
    action TEXT NOT NULL,
    target TEXT,
    result TEXT NOT NULL,
    detail TEXT
);
CREATE INDEX audit_log_at ON audit_log (at);
