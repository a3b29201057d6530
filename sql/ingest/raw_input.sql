-- The file's records numbered: record_no 1 for the first data record, source_line as
-- DuckDB numbers lines (the header is line 1). raw_text's rowid is its insertion order,
-- the file's order, so no window over every row is needed to number them.
CREATE OR REPLACE TEMP VIEW raw_input AS
SELECT
    rowid + 1 AS record_no,
    rowid + 2 AS source_line,
    *
FROM raw_text;
