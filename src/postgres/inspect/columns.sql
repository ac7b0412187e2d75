-- The columns of the tables $1 (oids), in order. A collation is named only
-- when it is not the type's own; a default is the generation expression
-- when the column is generated; an identity column's sequence settings
-- come with it.
SELECT a.attrelid, a.attname::text,
       format_type(a.atttypid, a.atttypmod) AS type,
       a.attnotnull,
       pg_get_expr(d.adbin, d.adrelid) AS default_expr,
       a.attidentity::text AS identity,
       a.attgenerated::text AS generated,
       CASE WHEN a.attcollation <> t.typcollation THEN co.collname::text END AS collation,
       col_description(a.attrelid, a.attnum) AS comment,
       seq.relname::text AS seq_name, format_type(s.seqtypid, NULL) AS seq_type,
       s.seqstart, s.seqincrement, s.seqmin, s.seqmax, s.seqcache, s.seqcycle
FROM pg_attribute a
JOIN pg_type t ON t.oid = a.atttypid
LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
LEFT JOIN pg_collation co ON co.oid = a.attcollation
LEFT JOIN pg_depend dep
       ON a.attidentity <> '' AND dep.classid = 'pg_class'::regclass
      AND dep.refclassid = 'pg_class'::regclass AND dep.refobjid = a.attrelid
      AND dep.refobjsubid = a.attnum AND dep.deptype = 'i'
LEFT JOIN pg_class seq ON seq.oid = dep.objid AND seq.relkind = 'S'
LEFT JOIN pg_sequence s ON s.seqrelid = seq.oid
WHERE a.attrelid = ANY($1) AND a.attnum > 0 AND NOT a.attisdropped
ORDER BY a.attrelid, a.attnum
