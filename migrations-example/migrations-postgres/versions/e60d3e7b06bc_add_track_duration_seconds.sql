-- revision: e60d3e7b06bc
-- down_revision: 6e4489106aa8
-- message: add track.duration_seconds
-- created: 2026-11-28T14:32:49Z
-- reviewed: NOT NULL with DEFAULT 0 fills existing tracks with 0 (without rewriting the table on PostgreSQL 11 and later); real durations are backfilled by the application.

-- migrate:up
ALTER TABLE track ADD COLUMN duration_seconds integer NOT NULL DEFAULT 0;

-- migrate:down
-- destructive: drops column track.duration_seconds and its data
ALTER TABLE track DROP COLUMN duration_seconds;
