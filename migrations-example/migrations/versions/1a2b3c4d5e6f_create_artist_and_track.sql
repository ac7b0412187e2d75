-- revision: 1a2b3c4d5e6f
-- down_revision:
-- message: create artist and track
-- created: 2026-11-25T14:36:59Z

-- migrate:up
CREATE TABLE artist (
    id INTEGER PRIMARY KEY,
    name VARCHAR(30) NOT NULL
);
CREATE TABLE track (
    id INTEGER PRIMARY KEY,
    title VARCHAR NOT NULL,
    artist_id INTEGER NOT NULL,
    FOREIGN KEY (artist_id) REFERENCES artist (id) ON DELETE CASCADE
);
CREATE INDEX ix_track_title ON track (title);


-- migrate:down
DROP TABLE track;
DROP TABLE artist;

