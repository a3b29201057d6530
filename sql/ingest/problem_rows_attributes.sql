-- The attributes' problems (ingest/attribute_problems) added after the contract's, and
-- the rows with only attribute problems added: the row is quarantined whole.
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
