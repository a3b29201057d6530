-- One corridor (importing country x origin x HS6) month by month: what the customs
-- records show arriving, the trailing 12-month baseline the surge detectors compare
-- against, and what the importing country's trade statistics report for the same months. The months run from two years before
-- $flag_month (or the first data, if earlier) so the chart shows what came before.
WITH shipped AS (
    SELECT
        date_trunc('month', arrival_date)::DATE AS month,
        count(*) AS shipments,
        sum(weight_kg) AS weight_kg,
        sum(value_usd) AS value_usd
    FROM shipments
    WHERE import_country = $importer AND origin_country = $origin AND hs6 = $hs6
    GROUP BY 1
),

reported AS (
    SELECT
        period_start AS month,
        sum(weight_kg) AS statistics_kg,
        sum(value_usd) AS statistics_value_usd
    FROM trade_flows
    WHERE reporter = $importer AND partner = $origin AND flow = 'import' AND hs6 = $hs6
        AND frequency = 'monthly'
    GROUP BY 1
),

span AS (
    SELECT
        least(min(month), $flag_month::DATE - INTERVAL 24 MONTH)::DATE AS first_month,
        greatest(max(month), $flag_month::DATE) AS last_month
    FROM (SELECT month FROM shipped UNION ALL SELECT month FROM reported)
),

spine AS (
    SELECT unnest(generate_series(first_month, last_month, INTERVAL 1 MONTH))::DATE AS month
    FROM span
    WHERE first_month IS NOT NULL
),

filled AS (
    SELECT
        spine.month,
        coalesce(shipped.shipments, 0) AS shipments,
        coalesce(shipped.weight_kg, 0) AS weight_kg,
        coalesce(shipped.value_usd, 0) AS value_usd,
        reported.statistics_kg,
        reported.statistics_value_usd
    FROM spine
    LEFT JOIN shipped USING (month)
    LEFT JOIN reported USING (month)
),

final AS (
    SELECT
        *,
        avg(weight_kg) OVER (
            ORDER BY month ROWS BETWEEN 12 PRECEDING AND 1 PRECEDING
        ) AS baseline_kg
    FROM filled
    ORDER BY month
)

SELECT * FROM final
