-- Fallback when DuckDB cannot sniff the dialect (a lone carriage return inside a quoted
-- value confuses it): read the file as plain RFC 4180 with the header given.
CREATE TEMP TABLE raw_text AS
SELECT *
FROM read_csv(
    $path,
    auto_detect = false,
    header = true,
    delim = ',',
    quote = '"',
    escape = '"',
    columns = $columns,
    encoding = $encoding,
    store_rejects = true,
    rejects_table = 'csv_rejects_table',
    rejects_scan = 'csv_rejects_scan'
);
