-- What a library taught the driver at runtime, per INQUIRY identity and device (quirks_key).
CREATE TABLE learned_quirks (
    quirks_key    TEXT NOT NULL PRIMARY KEY,
    vendor        TEXT NOT NULL,
    product       TEXT NOT NULL,
    revision      TEXT NOT NULL,
    device        TEXT NOT NULL,
    read_strategy TEXT,
    device_id     TEXT,
    learned_at    TEXT NOT NULL
);

-- Why, one row per reason, in the order learned.
CREATE TABLE learned_quirk_reasons (
    quirks_key TEXT NOT NULL REFERENCES learned_quirks (quirks_key) ON DELETE CASCADE,
    seq        INTEGER NOT NULL,
    reason     TEXT NOT NULL,
    PRIMARY KEY (quirks_key, seq)
);
