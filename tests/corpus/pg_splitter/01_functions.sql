-- A PL/pgSQL function in a dollar quote, with semicolons and quotes inside.
CREATE OR REPLACE FUNCTION touch() RETURNS trigger AS $fn$
BEGIN
  NEW.updated_at := now(); -- ; inside
  RAISE NOTICE 'it''s $$ done;';
  RETURN NEW;
END;
$fn$ LANGUAGE plpgsql;

CREATE FUNCTION add(a integer, b integer) RETURNS integer
    LANGUAGE SQL
    IMMUTABLE
    RETURN a + b;

CREATE PROCEDURE insert_data(a integer, b integer)
LANGUAGE SQL
BEGIN ATOMIC
  INSERT INTO tbl VALUES (a);
  INSERT INTO tbl VALUES (b);
  SELECT CASE WHEN a > b THEN 1 ELSE 2 END;
END;

CALL insert_data(1, 2);
