-- The months the shipments of the batches in $batches arrived in, with the number of
-- stored shipments of each (all batches').
WITH touched AS (
    SELECT DISTINCT date_trunc('month', arrival_date)::DATE AS month
    FROM shipments
    WHERE batch_id IN (SELECT unnest($batches::BIGINT[]))
),

stored AS (
    SELECT
        date_trunc('month', arrival_date)::DATE AS month,
        count(*) AS shipments
    FROM shipments
    GROUP BY ALL
),

final AS (
    SELECT month, shipments
    FROM touched
    INNER JOIN stored USING (month)
)

SELECT month, shipments FROM final
ORDER BY month;
