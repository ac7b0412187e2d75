-- The indexes of the tables $1 (oids) that no constraint owns (a primary
-- key's, a UNIQUE's or an exclusion constraint's index is the constraint).
SELECT i.indexrelid, i.indrelid, ic.relname::text AS name, i.indisunique,
       am.amname::text AS method,
       pg_get_expr(i.indpred, i.indrelid) AS predicate,
       current_setting('server_version_num')::int >= 150000
           AND coalesce((to_jsonb(i) ->> 'indnullsnotdistinct')::boolean, false) AS nulls_not_distinct,
       coalesce(ic.reloptions, '{}')::text[] AS storage
FROM pg_index i
JOIN pg_class ic ON ic.oid = i.indexrelid
JOIN pg_am am ON am.oid = ic.relam
WHERE i.indrelid = ANY($1)
  AND NOT EXISTS (
      SELECT 1 FROM pg_constraint con
      WHERE con.conindid = i.indexrelid AND con.conrelid = i.indrelid
        AND con.contype IN ('p', 'u', 'x'))
ORDER BY ic.relname
