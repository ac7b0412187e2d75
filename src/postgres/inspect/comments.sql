-- Comments on the objects of the inspected schemas ($1) that are not
-- tables or columns (tables.sql and columns.sql read those): rows of
-- (kind, table, name, text); the table only for an index or a constraint.
SELECT 'index', t.relname::text, c.relname::text, d.description
FROM pg_index i
JOIN pg_class c ON c.oid = i.indexrelid
JOIN pg_class t ON t.oid = i.indrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
JOIN pg_description d
  ON d.classoid = 'pg_class'::regclass AND d.objoid = c.oid AND d.objsubid = 0
WHERE n.nspname = ANY($1)
UNION ALL
SELECT 'constraint', t.relname::text, con.conname::text, d.description
FROM pg_constraint con
JOIN pg_class t ON t.oid = con.conrelid
JOIN pg_namespace n ON n.oid = t.relnamespace
JOIN pg_description d
  ON d.classoid = 'pg_constraint'::regclass AND d.objoid = con.oid
WHERE n.nspname = ANY($1)
UNION ALL
SELECT CASE c.relkind WHEN 'v' THEN 'view' WHEN 'm' THEN 'matview' ELSE 'sequence' END,
       NULL, c.relname::text, d.description
FROM pg_class c
JOIN pg_namespace n ON n.oid = c.relnamespace
JOIN pg_description d
  ON d.classoid = 'pg_class'::regclass AND d.objoid = c.oid AND d.objsubid = 0
WHERE c.relkind IN ('v', 'm', 'S') AND n.nspname = ANY($1)
UNION ALL
SELECT 'type', NULL, t.typname::text, d.description
FROM pg_type t
JOIN pg_namespace n ON n.oid = t.typnamespace
JOIN pg_description d ON d.classoid = 'pg_type'::regclass AND d.objoid = t.oid
WHERE t.typtype = 'e' AND n.nspname = ANY($1)
