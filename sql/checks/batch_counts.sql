-- Batches whose recorded counts differ from the rows they hold; the check passes when
-- there are none.
WITH shipment_rows AS (
    SELECT batch_id, count(*) AS n FROM shipments GROUP BY batch_id
),

flow_rows AS (
    SELECT batch_id, count(*) AS n FROM trade_flows GROUP BY batch_id
),

quarantined_rows AS (
    SELECT batch_id, count(*) AS n FROM quarantine GROUP BY batch_id
),

final AS (
    SELECT batches.batch_id
    FROM ingest_batches AS batches
    LEFT JOIN shipment_rows USING (batch_id)
    LEFT JOIN flow_rows USING (batch_id)
    LEFT JOIN quarantined_rows USING (batch_id)
    WHERE batches.rows_loaded <> coalesce(shipment_rows.n, 0) + coalesce(flow_rows.n, 0)
        OR batches.rows_quarantined <> coalesce(quarantined_rows.n, 0)
)

SELECT * FROM final;
