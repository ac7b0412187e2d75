CREATE TABLE "x
DELETE FROM track;
--" (v INT);
