CREATE TEMP TABLE raw_text AS
SELECT COLUMNS(*)::VARCHAR
FROM read_parquet($path);
