-- Libraries by identity: the key every per-library table hangs on (INQUIRY vendor, product, unit serial).
CREATE TABLE libraries (
    library_key TEXT NOT NULL PRIMARY KEY,
    vendor      TEXT NOT NULL,
    product     TEXT NOT NULL,
    serial      TEXT
);

-- Which library a device URI reached last (a cache: data commands honour the cleaner reservation without asking the library).
CREATE TABLE device_index (
    device      TEXT NOT NULL PRIMARY KEY,
    library_key TEXT NOT NULL
);
