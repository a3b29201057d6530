SELECT batch_id, source_line AS line, reason, message
FROM quarantine
WHERE ($batch_id IS NULL OR batch_id = $batch_id)
    AND ($reason IS NULL OR reason = $reason)
ORDER BY batch_id, source_line
LIMIT $limit
