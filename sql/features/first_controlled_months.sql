-- Each importing country's first month with a controlled code's shipment up to $until:
-- where its corridor months' grid starts (months with nothing count as zero from there).
WITH controlled AS (
    SELECT hs6 FROM ref_controlled_codes
),

final AS (
    SELECT
        import_country,
        CAST(date_trunc('month', min(arrival_date)) AS DATE) AS first_month
    FROM shipments
    WHERE arrival_date <= $until
        AND hs6 IN (SELECT hs6 FROM controlled)
    GROUP BY import_country
)

SELECT * FROM final
