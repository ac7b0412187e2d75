-- revision: 9abe96eacc5e
-- down_revision: 70f8f3a4c5f1
-- message: add track.duration_seconds
-- created: 2026-11-25T14:58:04Z
-- reviewed: NOT NULL with DEFAULT 0 fills existing tracks with 0; real durations are backfilled by the application.

-- migrate:up
ALTER TABLE track ADD COLUMN duration_seconds INTEGER NOT NULL DEFAULT 0;

-- migrate:down
-- destructive: drops column track.duration_seconds and its data
ALTER TABLE track DROP COLUMN duration_seconds;
