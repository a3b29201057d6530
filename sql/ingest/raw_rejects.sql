-- One row per unparseable line, whatever number of errors DuckDB found on it (in the
-- order of their text: DuckDB finds them in parallel, in no set order).
INSERT INTO raw_rejects
WITH rejected AS (
    SELECT * FROM csv_rejects_table
),

final AS (
    SELECT
        line AS source_line,
        min(error_type::VARCHAR) AS error_type,
        min(csv_line) AS csv_line,
        string_agg(DISTINCT error_message, '; ' ORDER BY error_message) AS error_message
    FROM rejected
    GROUP BY line
)

SELECT * FROM final;
DROP TABLE csv_rejects_table;
DROP TABLE csv_rejects_scan;
