-- The file's records numbered when DuckDB rejected some lines: each rejected line before
-- a record pushes its source_line one further down, to the numbering DuckDB reports for
-- rejected lines (the header is line 1).
CREATE OR REPLACE TEMP VIEW raw_input AS
WITH numbered AS (
    SELECT rowid + 1 AS record_no, * FROM raw_text
),

ranked_rejects AS (
    SELECT
        source_line - row_number() OVER (ORDER BY source_line) AS first_record_after,
        row_number() OVER (ORDER BY source_line) AS rejected_before
    FROM raw_rejects
),

shifts AS (
    SELECT first_record_after, max(rejected_before) AS rejected_before
    FROM ranked_rejects
    GROUP BY first_record_after
),

final AS (
    SELECT
        numbered.record_no,
        numbered.record_no + 1 + coalesce(shifts.rejected_before, 0) AS source_line,
        numbered.* EXCLUDE (record_no)
    FROM numbered
    ASOF LEFT JOIN shifts ON numbered.record_no >= shifts.first_record_after
)

SELECT * FROM final;
