-- Both legs of a suspected route China -> origin -> importing country, year by year, as
-- each side reported them, and the direct flow China -> importing country as each side
-- reported it. $exporter is the controlling exporter (China); origin legs are left out
-- when the origin is China itself. Where a year has annual and monthly figures, the
-- annual one is used (it is whole).
WITH leg_rows AS (
    SELECT
        year(period_start) AS year,
        source,
        frequency,
        value_usd,
        weight_kg,
        CASE
            WHEN reporter = $exporter AND partner = $importer AND flow = 'export'
                THEN 'cn_to_importer_by_cn'
            WHEN reporter = $importer AND partner = $exporter AND flow = 'import'
                THEN 'cn_to_importer_by_importer'
            WHEN $origin = $exporter THEN NULL
            WHEN reporter = $exporter AND partner = $origin AND flow = 'export'
                THEN 'cn_to_origin_by_cn'
            WHEN reporter = $origin AND partner = $exporter AND flow = 'import'
                THEN 'cn_to_origin_by_origin'
            WHEN reporter = $origin AND partner = $importer AND flow = 'export'
                THEN 'origin_to_importer_by_origin'
            WHEN reporter = $importer AND partner = $origin AND flow = 'import'
                THEN 'origin_to_importer_by_importer'
        END AS leg
    FROM trade_flows
    WHERE hs6 = $hs6 AND reporter IN ($exporter, $importer, $origin)
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
