-- revision: abc
-- down_revision:

-- migrate:up  -- create tables
CREATE TABLE t (id INT);
-- migrate:down -- drop them
DROP TABLE t;
