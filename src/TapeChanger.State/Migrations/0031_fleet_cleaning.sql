-- Fleet mode: the cleaning state of each library, as its owner last reported it with health and queue depth.
-- drives_needing_cleaning: the drive numbers asking for cleaning, ascending, comma-separated ('' when none);
-- cleaning: 1 while a Clean request is in process on the library, else 0.
ALTER TABLE library_leases ADD COLUMN drives_needing_cleaning TEXT NOT NULL DEFAULT '';
ALTER TABLE library_leases ADD COLUMN cleaning INTEGER NOT NULL DEFAULT 0;
