-- revision: abc
-- down_revision:

-- migrate:up
CREATE TABLE snapshot AS SELECT 1 AS _migrate_copy_n;
-- migrate:down
DROP TABLE snapshot;
