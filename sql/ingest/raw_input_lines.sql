-- Give each parsed record the line number DuckDB reports for rejected lines: header is
-- line 1, and every rejected line before a record pushes it one line further down.
-- Run only when the file had rejected lines.
UPDATE raw_input
SET source_line = raw_input.record_no + 1 + (
    SELECT count(*)
    FROM (
        SELECT source_line - row_number() OVER (ORDER BY source_line) AS first_record_after
        FROM raw_rejects
    ) AS rejects_ranked
    WHERE rejects_ranked.first_record_after <= raw_input.record_no
);
