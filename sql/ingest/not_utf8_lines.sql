-- Lines DuckDB refused as not UTF-8: any means the whole file is read again as Latin-1.
SELECT count(*) AS lines
FROM raw_rejects
WHERE error_type = 'INVALID ENCODING';
