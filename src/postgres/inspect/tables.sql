-- The ordinary tables of the inspected schemas ($1: their names), without
-- partitions and without what an extension owns.
SELECT c.oid, n.nspname::text, c.relname::text,
       c.relpersistence = 'u' AS unlogged,
       obj_description(c.oid, 'pg_class') AS comment
FROM pg_class c
JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind = 'r'
  AND NOT c.relispartition
  AND n.nspname = ANY($1)
  AND NOT EXISTS (
      SELECT 1 FROM pg_depend d
      WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e')
ORDER BY c.relname, n.nspname
