-- One row per column of the indexes $1 (oids), key columns first, then the
-- INCLUDE ones. An expression is printed by PostgreSQL; collation and
-- operator class are named only when they are not the key's own default.
SELECT i.indexrelid, k.n <= i.indnkeyatts AS is_key,
       a.attname::text AS column_name,
       CASE WHEN i.indkey[k.n - 1] = 0 THEN pg_get_indexdef(i.indexrelid, k.n, true) END AS expr,
       coalesce(i.indoption[k.n - 1] & 1 = 1, false) AS descending,
       coalesce(i.indoption[k.n - 1] & 2 = 2, false) AS nulls_first,
       CASE WHEN i.indcollation[k.n - 1] <> coalesce(a.attcollation, it.typcollation)
            THEN co.collname::text END AS collation,
       CASE WHEN NOT opc.opcdefault THEN opc.opcname::text END AS opclass
FROM pg_index i
CROSS JOIN LATERAL generate_series(1, i.indnatts) AS k(n)
JOIN pg_attribute ia ON ia.attrelid = i.indexrelid AND ia.attnum = k.n
JOIN pg_type it ON it.oid = ia.atttypid
LEFT JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = i.indkey[k.n - 1]
LEFT JOIN pg_collation co ON co.oid = i.indcollation[k.n - 1]
LEFT JOIN pg_opclass opc ON opc.oid = i.indclass[k.n - 1]
WHERE i.indexrelid = ANY($1)
ORDER BY i.indexrelid, k.n
