-- Primary, unique, check, foreign key and exclusion constraints of the
-- tables $1 (oids), with their columns in key order.
SELECT con.conrelid, con.conname::text, con.contype::text AS kind,
       ARRAY(SELECT a.attname::text
             FROM unnest(con.conkey) WITH ORDINALITY AS k(num, ord)
             JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.num
             ORDER BY k.ord) AS columns,
       CASE WHEN ref.oid IS NOT NULL THEN
       CASE WHEN refns.nspname = current_schema() THEN ref.relname::text
            ELSE quote_ident(refns.nspname) || '.' || quote_ident(ref.relname) END END AS ref_table,
       ARRAY(SELECT a.attname::text
             FROM unnest(con.confkey) WITH ORDINALITY AS k(num, ord)
             JOIN pg_attribute a ON a.attrelid = con.confrelid AND a.attnum = k.num
             ORDER BY k.ord) AS ref_columns,
       con.confupdtype::text AS on_update,
       con.confdeltype::text AS on_delete,
       con.condeferrable, con.condeferred, con.convalidated,
       CASE WHEN con.contype = 'c' THEN pg_get_expr(con.conbin, con.conrelid) END AS check_expr,
       con.connoinherit,
       con.contype = 'u' AND current_setting('server_version_num')::int >= 150000
           AND coalesce((SELECT (to_jsonb(i) ->> 'indnullsnotdistinct')::boolean
                         FROM pg_index i WHERE i.indexrelid = con.conindid), false)
           AS nulls_not_distinct,
       CASE WHEN con.contype = 'x' THEN pg_get_constraintdef(con.oid) END AS definition
FROM pg_constraint con
LEFT JOIN pg_class ref ON ref.oid = con.confrelid
LEFT JOIN pg_namespace refns ON refns.oid = ref.relnamespace
WHERE con.conrelid = ANY($1) AND con.contype IN ('p', 'u', 'c', 'f', 'x')
ORDER BY con.conrelid, con.conname
