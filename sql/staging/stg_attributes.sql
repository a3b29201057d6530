-- Staging: a mapping's attributes, one row per record and non-empty attribute, trimmed,
-- numbers typed (null where the text is not one: ingest/problem_rows_attributes says so).
CREATE OR REPLACE TEMP VIEW stg_attributes AS
WITH source AS (
    SELECT * FROM attributes_input
),

trimmed AS (
    SELECT record_no, name, kind, header, text_or_null(text) AS text_value
    FROM source
),

final AS (
    SELECT
        record_no,
        name,
        kind,
        header,
        text_value,
        CASE WHEN kind = 'number' THEN try_cast(text_value AS DOUBLE) END AS number_value
    FROM trimmed
    WHERE text_value IS NOT NULL
)

SELECT * FROM final;
