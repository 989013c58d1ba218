-- Fleet mode (several services on one shared database). Each library has one lease row: the service holding it
-- (owner) is the only one that moves the library's robot until expires_ms (milliseconds since 1970 on the database's
-- clock). token grows by one at every change of hands: the fencing token every journal entry carries.
CREATE TABLE library_leases (
    library     TEXT NOT NULL PRIMARY KEY,
    owner       TEXT NOT NULL,
    owner_url   TEXT,
    token       BIGINT NOT NULL,
    expires_ms  BIGINT NOT NULL,
    acquired_ms BIGINT NOT NULL,
    renewed_ms  BIGINT NOT NULL,
    health      TEXT,
    queue_depth INTEGER NOT NULL
);

-- The services of the fleet, as last seen (the control plane lists them; a fair share of libraries is counted on them).
CREATE TABLE fleet_members (
    service TEXT NOT NULL PRIMARY KEY,
    url     TEXT,
    seen_ms BIGINT NOT NULL
);

-- Every move journal entry, in order per library (seq), with the fencing token of the lease it was written under.
CREATE TABLE move_journal (
    library     TEXT NOT NULL,
    seq         BIGINT NOT NULL,
    request_id  TEXT NOT NULL,
    step        TEXT NOT NULL,
    token       BIGINT NOT NULL,
    owner       TEXT NOT NULL,
    source      INTEGER,
    destination INTEGER,
    barcode     TEXT,
    at          TEXT NOT NULL,
    PRIMARY KEY (library, seq)
);
