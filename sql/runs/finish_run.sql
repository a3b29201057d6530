UPDATE runs SET
    status = $status,
    finished_at = now()::TIMESTAMP,
    shipments_scored = $shipments_scored,
    flags_written = $flags_written,
    counts = $counts,
    error = $error
WHERE run_id = $run_id
