-- revision: abc
-- down_revision:

-- migrate:up
CREATE TABLE a (x INT) -- note
;
CREATE TABLE b (y INT);
-- migrate:down
DROP TABLE b; DROP TABLE a;
