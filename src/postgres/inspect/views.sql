-- The views of the inspected schemas ($1), as PostgreSQL prints their query.
SELECT CASE WHEN n.nspname = current_schema() THEN c.relname::text
            ELSE quote_ident(n.nspname) || '.' || quote_ident(c.relname) END AS name,
       pg_get_viewdef(c.oid, true) AS query
FROM pg_class c
JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind = 'v' AND n.nspname = ANY($1)
  AND NOT EXISTS (
      SELECT 1 FROM pg_depend d
      WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e')
ORDER BY c.relname
