-- A number attribute that does not parse (or is not finite) is a problem of its row, named
-- by the file's header, added after the contract's problems: the row is quarantined whole.
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

UPDATE problem_rows
SET problems = list_concat(problem_rows.problems, attribute_problems.problems)
FROM attribute_problems
WHERE problem_rows.record_no = attribute_problems.record_no;

INSERT INTO problem_rows BY NAME
SELECT attribute_problems.record_no, raw_input.source_line, attribute_problems.problems
FROM attribute_problems
INNER JOIN raw_input ON raw_input.record_no = attribute_problems.record_no
ANTI JOIN problem_rows ON problem_rows.record_no = attribute_problems.record_no;

DROP TABLE attribute_problems;
