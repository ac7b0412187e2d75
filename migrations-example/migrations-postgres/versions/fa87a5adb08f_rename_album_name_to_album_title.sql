-- revision: fa87a5adb08f
-- down_revision: e60d3e7b06bc
-- message: rename album.name to album.title
-- created: 2026-11-28T14:32:51Z
-- reviewed: declared with info={"renamed_from": "name"} in models.py, so the data stays (RENAME COLUMN, not drop + add).

-- migrate:up
ALTER TABLE album RENAME COLUMN name TO title;

-- migrate:down
ALTER TABLE album RENAME COLUMN title TO name;
