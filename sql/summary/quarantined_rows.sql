SELECT batch_id, source_line, reason, column_name, bad_value, message
FROM quarantine
WHERE ($batch_id IS NULL OR batch_id = $batch_id)
    AND ($reason IS NULL OR reason = $reason)
ORDER BY batch_id, source_line
LIMIT $limit
