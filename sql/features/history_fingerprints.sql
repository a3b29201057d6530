-- Per calendar quarter in $quarters: the count and a running xor of row hashes of every
-- shipment that arrived before it and every trade-statistics row for a period before it,
-- which is all a quarter's fit can have learned from.
WITH quarters AS (
    SELECT unnest($quarters) AS quarter
),

shipment_rows AS (
    SELECT
        'shipments' AS source_table,
        date_trunc('quarter', arrival_date) AS bucket,
        hash(
            shipment_id, arrival_date, importer, exporter, origin_country, export_country,
            port_of_lading, port_of_unlading, hs_code, description, weight_kg, value_usd,
            transport_mode
        ) AS row_hash
    FROM shipments
),

flow_rows AS (
    SELECT
        'trade_flows' AS source_table,
        date_trunc('quarter', period_start) AS bucket,
        hash(
            source, period, frequency, reporter, partner, flow, hs6, value_usd, weight_kg
        ) AS row_hash
    FROM trade_flows
),

buckets AS (
    SELECT source_table, bucket, count(*) AS row_count, bit_xor(row_hash) AS row_hash
    FROM (SELECT * FROM shipment_rows UNION ALL SELECT * FROM flow_rows)
    GROUP BY source_table, bucket
),

before_quarter AS (
    SELECT
        quarters.quarter,
        buckets.source_table,
        sum(buckets.row_count) AS row_count,
        bit_xor(buckets.row_hash) AS row_hash
    FROM quarters
    INNER JOIN buckets ON buckets.bucket < quarters.quarter
    GROUP BY quarters.quarter, buckets.source_table
),

final AS (
    SELECT
        quarters.quarter,
        coalesce(shipments.row_count, 0) AS shipments,
        coalesce(shipments.row_hash, 0) AS shipments_hash,
        coalesce(flows.row_count, 0) AS flows,
        coalesce(flows.row_hash, 0) AS flows_hash
    FROM quarters
    LEFT JOIN before_quarter AS shipments
        ON shipments.quarter = quarters.quarter AND shipments.source_table = 'shipments'
    LEFT JOIN before_quarter AS flows
        ON flows.quarter = quarters.quarter AND flows.source_table = 'trade_flows'
)

SELECT * FROM final
ORDER BY quarter
