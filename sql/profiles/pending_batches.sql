-- Shipment batches whose rows the monthly summaries do not hold yet.
WITH final AS (
    SELECT batch_id
    FROM ingest_batches
    WHERE kind = 'shipments'
        AND batch_id NOT IN (SELECT batch_id FROM aggregated_batches)
)

SELECT batch_id FROM final
ORDER BY batch_id;
