-- The story's catalogue on PostgreSQL: the rows of seed.sql, then each serial
-- key's sequence moved past them (so the application's next INSERT gets a new id).
-- Load it with:  psql "$DATABASE_URL" -v ON_ERROR_STOP=1 -f seed-postgres.sql
\ir seed.sql
SELECT setval(pg_get_serial_sequence('artist', 'id'), max(id)) FROM artist;
SELECT setval(pg_get_serial_sequence('track', 'id'), max(id)) FROM track;
