-- Per calendar quarter in $quarters: the count and a running xor of row hashes of every
-- shipment that arrived before it and every trade-statistics row for a period before it,
-- which is all a quarter's fit can have learned from.
WITH quarters AS (
    SELECT unnest($quarters) AS quarter
),

shipment_buckets AS (
    SELECT
        date_trunc('quarter', arrival_date) AS bucket,
        count(*) AS row_count,
        bit_xor(
            hash(
                shipment_id, arrival_date, importer, exporter, origin_country,
                export_country, port_of_lading, port_of_unlading, hs_code, description,
                weight_kg, value_usd, transport_mode
            )
        ) AS row_hash
    FROM shipments
    GROUP BY bucket
),

flow_buckets AS (
    SELECT
        date_trunc('quarter', period_start) AS bucket,
        count(*) AS row_count,
        bit_xor(
            hash(source, period, frequency, reporter, partner, flow, hs6, value_usd, weight_kg)
        ) AS row_hash
    FROM trade_flows
    GROUP BY bucket
),

shipments_before AS (
    SELECT
        quarters.quarter,
        coalesce(sum(shipment_buckets.row_count), 0) AS shipments,
        coalesce(bit_xor(shipment_buckets.row_hash), 0) AS shipments_hash
    FROM quarters
    LEFT JOIN shipment_buckets ON shipment_buckets.bucket < quarters.quarter
    GROUP BY quarters.quarter
),

flows_before AS (
    SELECT
        quarters.quarter,
        coalesce(sum(flow_buckets.row_count), 0) AS flows,
        coalesce(bit_xor(flow_buckets.row_hash), 0) AS flows_hash
    FROM quarters
    LEFT JOIN flow_buckets ON flow_buckets.bucket < quarters.quarter
    GROUP BY quarters.quarter
),

final AS (
    SELECT
        shipments_before.quarter,
        shipments_before.shipments,
        shipments_before.shipments_hash,
        flows_before.flows,
        flows_before.flows_hash
    FROM shipments_before
    INNER JOIN flows_before USING (quarter)
)

SELECT * FROM final
ORDER BY quarter
