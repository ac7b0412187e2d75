-- The extensions installed, but plpgsql (every database has it).
SELECT extname::text FROM pg_extension WHERE extname <> 'plpgsql' ORDER BY extname
