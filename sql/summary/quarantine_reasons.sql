SELECT ingest_batches.kind, quarantine.reason, count(*) AS row_count
FROM quarantine
INNER JOIN ingest_batches USING (batch_id)
GROUP BY ALL
ORDER BY row_count DESC
