-- The batch that already holds the same bytes ingested the same way, if any.
SELECT batch_id, rows_in, rows_loaded, rows_quarantined
FROM ingest_batches
WHERE kind = $kind AND checksum_sha256 = $checksum AND input_format = $input_format;
