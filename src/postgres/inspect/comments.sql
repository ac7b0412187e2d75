-- Comments on the objects of the inspected schemas ($1) that are not
-- tables or columns (tables.sql and columns.sql read those): rows of
-- (kind, table, name, text); the table only for an index or a constraint.
-- An object of a schema but the first (`current_schema()`) is named
-- `schema.name` as tables.sql names tables (names::qualify), an index too
-- (it is in its table's schema), so a comment is written qualified and two
-- same-named indexes of two schemas are two objects; a constraint's name is
-- never qualified, its table is.
SELECT 'index', t.relname::text,
       CASE WHEN n.nspname = current_schema() THEN c.relname::text
            ELSE quote_ident(n.nspname) || '.' || quote_ident(c.relname) END,
       d.description
FROM pg_index i
JOIN pg_class c ON c.oid = i.indexrelid
JOIN pg_class t ON t.oid = i.indrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
JOIN pg_description d
  ON d.classoid = 'pg_class'::regclass AND d.objoid = c.oid AND d.objsubid = 0
WHERE n.nspname = ANY($1)
UNION ALL
SELECT 'constraint',
       CASE WHEN n.nspname = current_schema() THEN t.relname::text
            ELSE quote_ident(n.nspname) || '.' || quote_ident(t.relname) END,
       con.conname::text, d.description
FROM pg_constraint con
JOIN pg_class t ON t.oid = con.conrelid
JOIN pg_namespace n ON n.oid = t.relnamespace
JOIN pg_description d
  ON d.classoid = 'pg_constraint'::regclass AND d.objoid = con.oid
WHERE n.nspname = ANY($1)
UNION ALL
SELECT CASE c.relkind WHEN 'v' THEN 'view' WHEN 'm' THEN 'matview' ELSE 'sequence' END,
       NULL,
       CASE WHEN n.nspname = current_schema() THEN c.relname::text
            ELSE quote_ident(n.nspname) || '.' || quote_ident(c.relname) END,
       d.description
FROM pg_class c
JOIN pg_namespace n ON n.oid = c.relnamespace
JOIN pg_description d
  ON d.classoid = 'pg_class'::regclass AND d.objoid = c.oid AND d.objsubid = 0
WHERE c.relkind IN ('v', 'm', 'S') AND n.nspname = ANY($1)
UNION ALL
SELECT 'type', NULL,
       CASE WHEN n.nspname = current_schema() THEN t.typname::text
            ELSE quote_ident(n.nspname) || '.' || quote_ident(t.typname) END,
       d.description
FROM pg_type t
JOIN pg_namespace n ON n.oid = t.typnamespace
JOIN pg_description d ON d.classoid = 'pg_type'::regclass AND d.objoid = t.oid
WHERE t.typtype = 'e' AND n.nspname = ANY($1)
