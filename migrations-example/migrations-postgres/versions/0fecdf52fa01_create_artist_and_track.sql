-- revision: 0fecdf52fa01
-- down_revision:
-- message: create artist and track
-- created: 2026-11-28T14:32:38Z
-- reviewed: the catalogue as the SQLAlchemy app first shipped it, in the types SQLAlchemy creates on PostgreSQL (serial keys); the foreign key is added once both tables exist; down drops both tables (children first).

-- migrate:up
CREATE TABLE artist (
    id serial NOT NULL,
    name character varying(30) NOT NULL,
    CONSTRAINT artist_pkey PRIMARY KEY (id)
);
CREATE TABLE track (
    id serial NOT NULL,
    title character varying NOT NULL,
    artist_id integer NOT NULL,
    CONSTRAINT track_pkey PRIMARY KEY (id)
);
CREATE INDEX ix_track_title ON track (title);
ALTER TABLE track ADD CONSTRAINT track_artist_id_fkey FOREIGN KEY (artist_id) REFERENCES artist (id) ON DELETE CASCADE;

-- migrate:down
-- destructive: drops table track and every row in it
DROP TABLE track;
-- destructive: drops table artist and every row in it
DROP TABLE artist;
