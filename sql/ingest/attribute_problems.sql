-- A number attribute that does not parse (or is not finite) is a problem of its row, named
-- by the file's header: the row is not loaded (ingest/insert_shipments), and its problems
-- follow the contract's (ingest/problem_rows_attributes).
CREATE OR REPLACE TEMP TABLE attribute_problems AS
WITH numbers AS (
    SELECT record_no, name, header, text_value, number_value
    FROM stg_attributes
    WHERE kind = 'number'
),

checked AS (
    SELECT
        record_no,
        name,
        CASE
            WHEN number_value IS NULL OR isnan(number_value) OR isinf(number_value)
                THEN not_a_number_problem(header, text_value)
        END AS problem
    FROM numbers
),

final AS (
    SELECT record_no, list(problem ORDER BY name) AS problems
    FROM checked
    WHERE problem IS NOT NULL
    GROUP BY record_no
)

SELECT * FROM final;
