-- Rows that failed a rule: the first problem's code, every problem in words, and the
-- whole raw record as the file gave it, so that nothing is lost.
INSERT INTO quarantine BY NAME
SELECT
    $batch_id AS batch_id,
    problem_rows.source_line,
    problem_rows.problems[1].reason AS reason,
    problem_rows.problems[1].column_name AS column_name,
    problem_rows.problems[1].bad_value AS bad_value,
    'line ' || problem_rows.source_line || ': '
        || array_to_string(list_transform(problem_rows.problems, lambda p: p.message), '; ') AS message,
    to_json(raw_input)::VARCHAR AS raw_record
FROM problem_rows
INNER JOIN raw_input ON raw_input.record_no = problem_rows.record_no;
