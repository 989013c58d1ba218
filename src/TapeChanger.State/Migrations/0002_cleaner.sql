-- The reserved cleaner slot of a library (RSM ReserveNtmsCleanerSlot), at most one.
CREATE TABLE cleaner_reservations (
    library_key TEXT NOT NULL PRIMARY KEY REFERENCES libraries (library_key) ON DELETE CASCADE,
    address     INTEGER NOT NULL,
    slot        INTEGER NOT NULL,
    reserved_at TEXT NOT NULL
);

-- The cleaner cartridge in the reserved slot, at most one.
CREATE TABLE cleaner_cartridges (
    library_key  TEXT NOT NULL PRIMARY KEY REFERENCES libraries (library_key) ON DELETE CASCADE,
    barcode      TEXT,
    cleans_left  BIGINT NOT NULL,
    injected_at  TEXT NOT NULL,
    times_used   INTEGER NOT NULL,
    spent_reason TEXT
);

-- Cleanings per drive (drive_key: its serial, else "element:ADDR"), oldest first (seq).
CREATE TABLE cleaning_history (
    library_key       TEXT NOT NULL REFERENCES libraries (library_key) ON DELETE CASCADE,
    drive_key         TEXT NOT NULL,
    seq               INTEGER NOT NULL,
    at                TEXT NOT NULL,
    drive             INTEGER NOT NULL,
    address           INTEGER NOT NULL,
    cleaner_barcode   TEXT,
    cleans_left_after BIGINT NOT NULL,
    operation         TEXT NOT NULL,
    outcome           TEXT NOT NULL,
    PRIMARY KEY (library_key, drive_key, seq)
);

-- Drives that asked for cleaning and were not cleaned since.
CREATE TABLE pending_cleanings (
    library_key TEXT NOT NULL REFERENCES libraries (library_key) ON DELETE CASCADE,
    drive_key   TEXT NOT NULL,
    drive       INTEGER NOT NULL,
    address     INTEGER NOT NULL,
    reason      TEXT NOT NULL,
    since       TEXT NOT NULL,
    last_seen   TEXT NOT NULL,
    PRIMARY KEY (library_key, drive_key)
);

-- The operations journal (inject, eject, clean), in the order they were queued (seq).
CREATE TABLE cleaner_operations (
    id             TEXT NOT NULL PRIMARY KEY,
    library_key    TEXT NOT NULL REFERENCES libraries (library_key) ON DELETE CASCADE,
    seq            INTEGER NOT NULL,
    kind           TEXT NOT NULL,
    state          TEXT NOT NULL,
    result         TEXT NOT NULL,
    code           BIGINT NOT NULL,
    message        TEXT,
    progress       TEXT,
    created        TEXT NOT NULL,
    updated        TEXT NOT NULL,
    completed      TEXT,
    deadline       TEXT,
    via            TEXT NOT NULL,
    cleans_left    BIGINT NOT NULL,
    drive          INTEGER,
    unload_first   INTEGER NOT NULL,
    stop_requested INTEGER NOT NULL,
    confirmed      INTEGER NOT NULL,
    worker_pid     INTEGER,
    step           TEXT,
    element        INTEGER,
    barcode        TEXT,
    drive_serial   TEXT
);

CREATE INDEX cleaner_operations_library ON cleaner_operations (library_key, seq);
