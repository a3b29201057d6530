-- An empty file (no bytes, or only blank lines): no records and no columns.
CREATE TEMP VIEW raw_input AS
SELECT
    NULL::BIGINT AS record_no,
    NULL::BIGINT AS source_line
WHERE false;
