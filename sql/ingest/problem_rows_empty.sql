CREATE OR REPLACE TEMP TABLE problem_rows AS
SELECT
    NULL::BIGINT AS record_no,
    NULL::BIGINT AS source_line,
    []::STRUCT(reason VARCHAR, column_name VARCHAR, bad_value VARCHAR, message VARCHAR)[]
        AS problems
WHERE false;
