//! The music catalogue's story as SQL models, one per revision: create
//! artist and track, add album, add a NOT NULL column with a default, rename
//! a column, add indexes and a unique constraint, then rebuild the parent
//! table `artist` under its children. Shared by the script snapshots and the
//! test that plan and lint judge every statement alike.

/// (revision id, message, the whole model after the step)
pub const STEPS: &[(&str, &str, &str)] = &[
    (
        "r1",
        "create artist and track",
        "CREATE TABLE artist (id INTEGER PRIMARY KEY, name VARCHAR(30) NOT NULL);
CREATE TABLE track (
    id INTEGER PRIMARY KEY,
    title VARCHAR NOT NULL,
    artist_id INTEGER NOT NULL REFERENCES artist (id) ON DELETE CASCADE
);
CREATE INDEX ix_track_title ON track (title);",
    ),
    (
        "r2",
        "add album table and track album_id",
        "CREATE TABLE artist (id INTEGER PRIMARY KEY, name VARCHAR(30) NOT NULL);
CREATE TABLE album (
    id INTEGER PRIMARY KEY,
    name VARCHAR(100) NOT NULL,
    artist_id INTEGER NOT NULL REFERENCES artist (id) ON DELETE CASCADE
);
CREATE TABLE track (
    id INTEGER PRIMARY KEY,
    title VARCHAR NOT NULL,
    artist_id INTEGER NOT NULL REFERENCES artist (id) ON DELETE CASCADE,
    album_id INTEGER REFERENCES album (id) ON DELETE SET NULL
);
CREATE INDEX ix_track_title ON track (title);",
    ),
    (
        "r3",
        "add track duration_seconds",
        "CREATE TABLE artist (id INTEGER PRIMARY KEY, name VARCHAR(30) NOT NULL);
CREATE TABLE album (
    id INTEGER PRIMARY KEY,
    name VARCHAR(100) NOT NULL,
    artist_id INTEGER NOT NULL REFERENCES artist (id) ON DELETE CASCADE
);
CREATE TABLE track (
    id INTEGER PRIMARY KEY,
    title VARCHAR NOT NULL,
    artist_id INTEGER NOT NULL REFERENCES artist (id) ON DELETE CASCADE,
    album_id INTEGER REFERENCES album (id) ON DELETE SET NULL,
    duration_seconds INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX ix_track_title ON track (title);",
    ),
    (
        "r4",
        "rename album name to title",
        "CREATE TABLE artist (id INTEGER PRIMARY KEY, name VARCHAR(30) NOT NULL);
CREATE TABLE album (
    id INTEGER PRIMARY KEY,
    title VARCHAR(100) NOT NULL, -- @renamed from=name
    artist_id INTEGER NOT NULL REFERENCES artist (id) ON DELETE CASCADE
);
CREATE TABLE track (
    id INTEGER PRIMARY KEY,
    title VARCHAR NOT NULL,
    artist_id INTEGER NOT NULL REFERENCES artist (id) ON DELETE CASCADE,
    album_id INTEGER REFERENCES album (id) ON DELETE SET NULL,
    duration_seconds INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX ix_track_title ON track (title);",
    ),
    (
        "r5",
        "index track album_id, unique album title",
        "CREATE TABLE artist (id INTEGER PRIMARY KEY, name VARCHAR(30) NOT NULL);
CREATE TABLE album (
    id INTEGER PRIMARY KEY,
    title VARCHAR(100) NOT NULL,
    artist_id INTEGER NOT NULL REFERENCES artist (id) ON DELETE CASCADE,
    CONSTRAINT uq_album_artist_title UNIQUE (artist_id, title)
);
CREATE TABLE track (
    id INTEGER PRIMARY KEY,
    title VARCHAR NOT NULL,
    artist_id INTEGER NOT NULL REFERENCES artist (id) ON DELETE CASCADE,
    album_id INTEGER REFERENCES album (id) ON DELETE SET NULL,
    duration_seconds INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX ix_track_title ON track (title);
CREATE INDEX ix_track_album_id ON track (album_id);",
    ),
    (
        "r6",
        "artist names are never empty",
        "CREATE TABLE artist (
    id INTEGER PRIMARY KEY,
    name VARCHAR(30) NOT NULL,
    CONSTRAINT ck_artist_name CHECK (name <> '')
);
CREATE TABLE album (
    id INTEGER PRIMARY KEY,
    title VARCHAR(100) NOT NULL,
    artist_id INTEGER NOT NULL REFERENCES artist (id) ON DELETE CASCADE,
    CONSTRAINT uq_album_artist_title UNIQUE (artist_id, title)
);
CREATE TABLE track (
    id INTEGER PRIMARY KEY,
    title VARCHAR NOT NULL,
    artist_id INTEGER NOT NULL REFERENCES artist (id) ON DELETE CASCADE,
    album_id INTEGER REFERENCES album (id) ON DELETE SET NULL,
    duration_seconds INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX ix_track_title ON track (title);
CREATE INDEX ix_track_album_id ON track (album_id);",
    ),
];
