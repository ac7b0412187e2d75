-- The sequences of the inspected schemas ($1), with the column that owns
-- one (OWNED BY, as serial makes) and its settings, to tell serial's from
-- hand-made ones. Identity columns' sequences belong to the column and are
-- left out, as are an extension's.
SELECT CASE WHEN n.nspname = current_schema() THEN c.relname::text
            ELSE quote_ident(n.nspname) || '.' || quote_ident(c.relname) END AS name,
       c.oid::regclass::text AS regclass,
       format_type(s.seqtypid, NULL) AS type,
       s.seqstart, s.seqincrement, s.seqmin, s.seqmax, s.seqcache, s.seqcycle,
       CASE WHEN owner.oid IS NOT NULL THEN
       CASE WHEN owner_ns.nspname = current_schema() THEN owner.relname::text
            ELSE quote_ident(owner_ns.nspname) || '.' || quote_ident(owner.relname) END END AS owner_table,
       a.attname::text AS owner_column
FROM pg_sequence s
JOIN pg_class c ON c.oid = s.seqrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
LEFT JOIN pg_depend d
       ON d.classid = 'pg_class'::regclass AND d.objid = c.oid
      AND d.refclassid = 'pg_class'::regclass AND d.refobjsubid > 0 AND d.deptype = 'a'
LEFT JOIN pg_class owner ON owner.oid = d.refobjid
LEFT JOIN pg_namespace owner_ns ON owner_ns.oid = owner.relnamespace
LEFT JOIN pg_attribute a ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid
WHERE n.nspname = ANY($1)
  AND NOT EXISTS (
      SELECT 1 FROM pg_depend x
      WHERE x.classid = 'pg_class'::regclass AND x.objid = c.oid AND x.deptype IN ('e', 'i'))
ORDER BY c.relname
