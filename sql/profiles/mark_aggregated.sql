-- The batches in $batches are in the monthly summaries.
INSERT INTO aggregated_batches
SELECT unnest($batches::BIGINT[]) AS batch_id
ON CONFLICT DO NOTHING;
