-- The ordinary tables of the inspected schemas ($1: their names), without
-- partitions and without what an extension owns. A table of a schema but
-- the first (`current_schema()`, the only one on the search_path) is named
-- `schema.name`, each part quoted as needed (names::qualify).
SELECT c.oid, n.nspname::text,
       CASE WHEN n.nspname = current_schema() THEN c.relname::text
            ELSE quote_ident(n.nspname) || '.' || quote_ident(c.relname) END AS name,
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
