-- revision: fb8c408de2cc
-- down_revision: fa87a5adb08f
-- message: index track.album_id, unique album title per artist
-- created: 2026-11-28T14:32:53Z
-- reviewed: the unique constraint fails (and the revision rolls back) if an artist has two albums with one title: run the pre-count against production first. CREATE INDEX blocks writes to track while it builds; on a big table write CREATE INDEX CONCURRENTLY in a `-- transactional: false` revision instead.

-- migrate:up
-- data-dependent: fails if album has duplicates in (artist_id, title) (pre-count: SELECT coalesce(sum(n), 0) FROM (SELECT count(*) AS n FROM album GROUP BY artist_id, title HAVING count(*) > 1) AS d)
ALTER TABLE album ADD CONSTRAINT uq_album_artist_title UNIQUE (artist_id, title);
CREATE INDEX ix_track_album_id ON track (album_id);

-- migrate:down
DROP INDEX ix_track_album_id;
ALTER TABLE album DROP CONSTRAINT uq_album_artist_title;
