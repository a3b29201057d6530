INSERT INTO ingest_batches BY NAME
SELECT
    $batch_id AS batch_id,
    $kind AS kind,
    $source_path AS source_path,
    $file_name AS file_name,
    $checksum AS checksum_sha256,
    $input_format AS input_format,
    $mapping AS mapping,
    $encoding AS encoding,
    $rows_in AS rows_in,
    $rows_loaded AS rows_loaded,
    $rows_quarantined AS rows_quarantined,
    $started_at AS started_at,
    now()::TIMESTAMP AS finished_at;
