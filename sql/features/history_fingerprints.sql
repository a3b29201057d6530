-- Per calendar quarter in $quarters and importing country in $countries: the count and a
-- running xor of row hashes of every shipment into that country that arrived before the
-- quarter (summed from its months', monthly_shipment_hashes, which ingest keeps), of every
-- trade-statistics row for a period before it, and of the trader entities on the days
-- before it (a membership as far as it reached before the quarter;
-- an analyst's correction rewrites earlier ones), which is all that country's fit for the
-- quarter can have learned from.
WITH quarters AS (
    SELECT unnest($quarters::DATE[]) AS quarter
),

countries AS (
    SELECT unnest($countries::VARCHAR[]) AS import_country
),

shipment_months AS (
    SELECT import_country, month, shipments AS row_count, row_hash
    FROM monthly_shipment_hashes
    WHERE import_country IN (SELECT import_country FROM countries)
),

flow_buckets AS (
    SELECT
        date_trunc('quarter', period_start) AS bucket,
        count(*) AS row_count,
        bit_xor(hash(
            source, period, frequency, reporter, partner, flow, hs6, value_usd, weight_kg
        )) AS row_hash
    FROM trade_flows
    GROUP BY ALL
),

shipments_before AS (
    SELECT
        quarters.quarter,
        buckets.import_country,
        sum(buckets.row_count) AS row_count,
        bit_xor(buckets.row_hash) AS row_hash
    FROM quarters
    INNER JOIN shipment_months AS buckets ON buckets.month < quarters.quarter
    GROUP BY ALL
),

memberships_before AS (
    SELECT
        quarters.quarter,
        count(*) AS row_count,
        bit_xor(hash(
            m.role, m.alias, m.entity_id, m.valid_from,
            CASE WHEN m.valid_to < quarters.quarter THEN m.valid_to END
        )) AS row_hash
    FROM quarters
    INNER JOIN entity_memberships AS m ON m.valid_from < quarters.quarter
    GROUP BY ALL
),

flows_before AS (
    SELECT
        quarters.quarter,
        sum(buckets.row_count) AS row_count,
        bit_xor(buckets.row_hash) AS row_hash
    FROM quarters
    INNER JOIN flow_buckets AS buckets ON buckets.bucket < quarters.quarter
    GROUP BY ALL
),

final AS (
    SELECT
        quarters.quarter,
        countries.import_country,
        coalesce(shipments.row_count, 0) AS shipments,
        coalesce(shipments.row_hash, 0) AS shipments_hash,
        coalesce(flows.row_count, 0) AS flows,
        coalesce(flows.row_hash, 0) AS flows_hash,
        coalesce(memberships.row_count, 0) AS memberships,
        coalesce(memberships.row_hash, 0) AS memberships_hash
    FROM quarters
    CROSS JOIN countries
    LEFT JOIN shipments_before AS shipments
        ON shipments.quarter = quarters.quarter
        AND shipments.import_country = countries.import_country
    LEFT JOIN flows_before AS flows ON flows.quarter = quarters.quarter
    LEFT JOIN memberships_before AS memberships ON memberships.quarter = quarters.quarter
)

SELECT * FROM final
ORDER BY quarter, import_country
