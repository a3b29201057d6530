-- Rows that failed a rule: the first problem's code, every problem in words, and the
-- whole raw record as the file gave it, so that nothing is lost.
INSERT INTO quarantine BY NAME
SELECT
    $batch_id AS batch_id,
    checked.source_line,
    checked.problems[1].reason AS reason,
    checked.problems[1].column_name AS column_name,
    checked.problems[1].bad_value AS bad_value,
    'line ' || checked.source_line || ': '
        || array_to_string(list_transform(checked.problems, lambda p: p.message), '; ') AS message,
    to_json(raw_input)::VARCHAR AS raw_record
FROM checked
INNER JOIN raw_input ON raw_input.record_no = checked.record_no
WHERE len(checked.problems) > 0;
