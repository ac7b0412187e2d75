CREATE TABLE a (x INT) -- the first table
;
CREATE TABLE b (y INT);
