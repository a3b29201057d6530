-- Lines the CSV reader could not split into the header's columns.
INSERT INTO quarantine BY NAME
SELECT
    $batch_id AS batch_id,
    source_line,
    'malformed_line' AS reason,
    NULL AS column_name,
    csv_line AS bad_value,
    'line ' || source_line || ': could not be read as CSV (' || lower(error_type)
        || ': ' || error_message || ')' AS message,
    csv_line AS raw_record
FROM raw_rejects;
