-- The library service's requests (RSM's work queue), history included. The whole record is kept as JSON in
-- record_json; the columns beside it are what the service searches on. sequence orders submissions (FIFO within a
-- priority). journal_json is what a move was about to do, written before the MOVE MEDIUM is sent, so a request in
-- process when the service died is reconciled from it and a targeted READ ELEMENT STATUS, never re-sent.
CREATE TABLE service_requests (
    id           TEXT NOT NULL PRIMARY KEY,
    sequence     BIGINT NOT NULL UNIQUE,
    library      TEXT NOT NULL,
    state        TEXT NOT NULL,
    submitted_at TEXT NOT NULL,
    record_json  TEXT NOT NULL,
    journal_json TEXT
);

CREATE INDEX service_requests_library_state ON service_requests (library, state);

-- Operator requests (RSM: NEWMEDIA, CLEANER, DEVICESERVICE, MOVEMEDIA, MESSAGE), open and closed.
CREATE TABLE operator_requests (
    id           TEXT NOT NULL PRIMARY KEY,
    library      TEXT NOT NULL,
    state        TEXT NOT NULL,
    request_id   TEXT,
    submitted_at TEXT NOT NULL,
    record_json  TEXT NOT NULL
);

CREATE INDEX operator_requests_library_state ON operator_requests (library, state);
