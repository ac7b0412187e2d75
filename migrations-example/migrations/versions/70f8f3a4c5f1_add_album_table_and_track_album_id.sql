-- revision: 70f8f3a4c5f1
-- down_revision: 34e511a57ae6
-- message: add album table and track.album_id
-- created: 2026-11-25T14:58:04Z
-- reviewed: album_id is nullable, so ALTER ... ADD COLUMN suffices; the down needs a rebuild of track (SQLite cannot DROP a column that is in a foreign key) and loses album links, which is expected.

-- migrate:up
CREATE TABLE album (
    id INTEGER PRIMARY KEY,
    name VARCHAR(100) NOT NULL,
    artist_id INTEGER NOT NULL,
    FOREIGN KEY (artist_id) REFERENCES artist (id) ON DELETE CASCADE
);
ALTER TABLE track ADD COLUMN album_id INTEGER REFERENCES album (id) ON DELETE SET NULL;

-- migrate:down
-- rebuild track: SQLite cannot ALTER this change; rows are copied into a new table
CREATE TABLE _migrate_new_track (
    id INTEGER PRIMARY KEY,
    title VARCHAR NOT NULL,
    artist_id INTEGER NOT NULL,
    FOREIGN KEY (artist_id) REFERENCES artist (id) ON DELETE CASCADE
);
-- destructive: column track.album_id and its data are dropped
INSERT INTO _migrate_new_track (id, title, artist_id) SELECT id, title, artist_id FROM track;
DROP TABLE track;
ALTER TABLE _migrate_new_track RENAME TO track;
CREATE INDEX ix_track_title ON track (title);
-- destructive: drops table album and every row in it
DROP TABLE album;
