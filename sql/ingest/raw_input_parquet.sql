CREATE TEMP TABLE raw_input AS
SELECT
    row_number() OVER () AS record_no,
    record_no + 1 AS source_line,
    COLUMNS(*)::VARCHAR
FROM read_parquet($path);
