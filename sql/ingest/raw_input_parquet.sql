CREATE TEMP TABLE raw_input_unnumbered AS
SELECT
    row_number() OVER () AS record_no,
    COLUMNS(*)::VARCHAR
FROM read_parquet($path);
