-- The months the shipments of the batches in $batches arrived in.
WITH final AS (
    SELECT DISTINCT date_trunc('month', arrival_date)::DATE AS month
    FROM shipments
    WHERE batch_id IN (SELECT unnest($batches::BIGINT[]))
)

SELECT month FROM final
ORDER BY month;
