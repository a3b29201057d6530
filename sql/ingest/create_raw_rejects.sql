-- Lines of the file the CSV reader could not split, numbered as raw_input numbers records.
CREATE TEMP TABLE raw_rejects (
    source_line BIGINT,
    error_type VARCHAR,
    csv_line VARCHAR,
    error_message VARCHAR
);
