-- revision: 34e511a57ae6
-- down_revision:
-- message: create artist and track
-- created: 2026-11-25T14:58:03Z
-- reviewed: the catalogue as the SQLAlchemy app first shipped it; down drops both tables (children first).

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
-- destructive: drops table track and every row in it
DROP TABLE track;
-- destructive: drops table artist and every row in it
DROP TABLE artist;
