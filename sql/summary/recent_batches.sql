SELECT batch_id, kind, input_format AS format, file_name AS file, rows_in, rows_loaded AS loaded,
    rows_quarantined AS quarantined
FROM ingest_batches
ORDER BY batch_id DESC
LIMIT 20
