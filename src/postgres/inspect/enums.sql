-- The enum types of the inspected schemas ($1), labels in their order.
SELECT CASE WHEN n.nspname = current_schema() THEN t.typname::text
            ELSE quote_ident(n.nspname) || '.' || quote_ident(t.typname) END AS name,
       ARRAY(SELECT e.enumlabel::text FROM pg_enum e
             WHERE e.enumtypid = t.oid ORDER BY e.enumsortorder) AS labels
FROM pg_type t
JOIN pg_namespace n ON n.oid = t.typnamespace
WHERE t.typtype = 'e' AND n.nspname = ANY($1)
  AND NOT EXISTS (
      SELECT 1 FROM pg_depend d
      WHERE d.classid = 'pg_type'::regclass AND d.objid = t.oid AND d.deptype = 'e')
ORDER BY t.typname
