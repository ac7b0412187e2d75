-- revision: abc
-- down_revision:

-- migrate:up
CREATE TABLE t (a);
CREATE TRIGGER tr AFTER INSERT ON t BEGIN
  UPDATE t SET a = 1;
UPDATE t SET a = 2;
-- migrate:down
DROP TABLE t;
