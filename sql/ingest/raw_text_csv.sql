-- Every field as text: typing and validation happen in the staging step, row by row,
-- so that one bad value quarantines one row instead of failing the file.
CREATE TEMP TABLE raw_text AS
SELECT *
FROM read_csv(
    $path,
    header = true,
    all_varchar = true,
    encoding = $encoding,
    store_rejects = true,
    rejects_table = 'csv_rejects_table',
    rejects_scan = 'csv_rejects_scan'
);
