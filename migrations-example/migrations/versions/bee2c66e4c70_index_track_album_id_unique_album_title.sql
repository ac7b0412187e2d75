-- revision: bee2c66e4c70
-- down_revision: caa1a38db517
-- message: index track.album_id, unique album title per artist
-- created: 2026-11-25T14:58:04Z
-- reviewed: the rebuild of album copies every row; the unique constraint fails (and rolls back) if an artist has two albums with one title. Run `migrate lint` against a copy of production first.

-- migrate:up
-- rebuild album: SQLite cannot ALTER this change; rows are copied into a new table
CREATE TABLE _migrate_new_album (
    id INTEGER PRIMARY KEY,
    title VARCHAR(100) NOT NULL,
    artist_id INTEGER NOT NULL,
    CONSTRAINT uq_album_artist_title UNIQUE (artist_id, title),
    FOREIGN KEY (artist_id) REFERENCES artist (id) ON DELETE CASCADE
);
-- new UNIQUE (artist_id, title): fails if duplicates exist
INSERT INTO _migrate_new_album (id, title, artist_id) SELECT id, title, artist_id FROM album;
DROP TABLE album;
ALTER TABLE _migrate_new_album RENAME TO album;
CREATE INDEX ix_track_album_id ON track (album_id);

-- migrate:down
DROP INDEX ix_track_album_id;
-- rebuild album: SQLite cannot ALTER this change; rows are copied into a new table
CREATE TABLE _migrate_new_album (
    id INTEGER PRIMARY KEY,
    title VARCHAR(100) NOT NULL,
    artist_id INTEGER NOT NULL,
    FOREIGN KEY (artist_id) REFERENCES artist (id) ON DELETE CASCADE
);
INSERT INTO _migrate_new_album (id, title, artist_id) SELECT id, title, artist_id FROM album;
DROP TABLE album;
ALTER TABLE _migrate_new_album RENAME TO album;
