-- Fleet mode: the library's identity key (libraries.library_key: INQUIRY vendor, product, unit serial) as its owner
-- last reported it. It links a lease row, named as the services name the library, to the cleaner state kept under the
-- identity (pending_cleanings), so every service lists the drives asking for cleaning from the database. NULL until an
-- owner has read the library's identity.
ALTER TABLE library_leases ADD COLUMN library_key TEXT;
