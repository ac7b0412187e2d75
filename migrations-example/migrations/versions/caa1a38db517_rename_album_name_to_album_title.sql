-- revision: caa1a38db517
-- down_revision: 9abe96eacc5e
-- message: rename album.name to album.title
-- created: 2026-11-25T14:58:04Z
-- reviewed: declared with renamed_from in models.toml, so the data stays (RENAME COLUMN, not drop + add).

-- migrate:up
ALTER TABLE album RENAME COLUMN name TO title;

-- migrate:down
ALTER TABLE album RENAME COLUMN title TO name;
