-- Both legs of a suspected route China -> origin -> US, year by year, as each side reported
-- them. Where a year has annual and monthly figures, the annual one is used (it is whole).
WITH leg_rows AS (
    SELECT
        year(period_start) AS year,
        source,
        frequency,
        value_usd,
        weight_kg,
        CASE
            WHEN reporter = 'CN' AND partner = $origin AND flow = 'export' THEN 'cn_to_origin_by_cn'
            WHEN reporter = $origin AND partner = 'CN' AND flow = 'import' THEN 'cn_to_origin_by_origin'
            WHEN reporter = $origin AND partner = 'US' AND flow = 'export' THEN 'origin_to_us_by_origin'
            WHEN reporter = 'US' AND partner = $origin AND flow = 'import' THEN 'origin_to_us_by_us'
            WHEN reporter = 'US' AND partner = 'CN' AND flow = 'import' THEN 'cn_to_us_by_us'
        END AS leg
    FROM trade_flows
    WHERE hs6 = $hs6 AND reporter IN ('CN', 'US', $origin)
),

per_source AS (
    SELECT
        leg,
        year,
        source,
        frequency,
        count(*) AS periods,
        sum(value_usd) AS value_usd,
        sum(weight_kg) AS weight_kg
    FROM leg_rows
    WHERE leg IS NOT NULL
    GROUP BY ALL
),

final AS (
    SELECT leg, year, source, frequency, periods, value_usd, weight_kg
    FROM per_source
    QUALIFY row_number() OVER (
        PARTITION BY leg, year ORDER BY frequency = 'annual' DESC, periods DESC, source
    ) = 1
    ORDER BY leg, year
)

SELECT * FROM final
