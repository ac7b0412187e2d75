-- revision: 6e4489106aa8
-- down_revision: 0fecdf52fa01
-- message: add album table and track.album_id
-- created: 2026-11-28T14:32:43Z
-- reviewed: album_id is new and nullable, so no row can break its foreign key yet (the data-dependent note cannot fire here); down drops the key, then album, then the column, and loses album links, which is expected.

-- migrate:up
CREATE TABLE album (
    id serial NOT NULL,
    name character varying(100) NOT NULL,
    artist_id integer NOT NULL,
    CONSTRAINT album_pkey PRIMARY KEY (id)
);
ALTER TABLE track ADD COLUMN album_id integer;
ALTER TABLE album ADD CONSTRAINT album_artist_id_fkey FOREIGN KEY (artist_id) REFERENCES artist (id) ON DELETE CASCADE;
-- data-dependent: fails if rows of track reference no row of album (pre-count: SELECT count(*) FROM track AS c WHERE c.album_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM album AS p WHERE p.id = c.album_id))
ALTER TABLE track ADD CONSTRAINT track_album_id_fkey FOREIGN KEY (album_id) REFERENCES album (id) ON DELETE SET NULL;

-- migrate:down
ALTER TABLE track DROP CONSTRAINT track_album_id_fkey;
-- destructive: drops table album and every row in it
DROP TABLE album;
-- destructive: drops column track.album_id and its data
ALTER TABLE track DROP COLUMN album_id;
