-- A file without attributes has no attribute problems.
CREATE OR REPLACE TEMP TABLE attribute_problems AS
SELECT
    NULL::BIGINT AS record_no,
    []::STRUCT(reason VARCHAR, column_name VARCHAR, bad_value VARCHAR, message VARCHAR)[]
        AS problems
WHERE false;
