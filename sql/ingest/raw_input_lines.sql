-- Give each parsed record the line number DuckDB would report for it: header is line 1,
-- and every rejected line before a record pushes it one line further down.
CREATE TEMP TABLE raw_input AS
WITH records AS (
    SELECT * FROM raw_input_unnumbered
),

rejects_ranked AS (
    SELECT
        source_line - row_number() OVER (ORDER BY source_line) AS first_record_after
    FROM raw_rejects
    WHERE $has_rejects
),

final AS (
    SELECT
        records.record_no,
        records.record_no + 1 + (
            SELECT count(*) FROM rejects_ranked
            WHERE rejects_ranked.first_record_after <= records.record_no
        ) AS source_line,
        records.* EXCLUDE (record_no)
    FROM records
)

SELECT * FROM final ORDER BY record_no;
