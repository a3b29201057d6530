-- Whether the store has its metadata table: a file without it is a new, empty store.
SELECT count(*) > 0 AS has_meta
FROM information_schema.tables
WHERE table_name = 'store_meta';
