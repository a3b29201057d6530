-- The trader summaries of the months before $before summed over those months: one row per
-- importing country x exporter x importer x origin, all the trader profiles read (the
-- months themselves stay in monthly_traders, 1.9M rows on a store of 10M shipments).
WITH months AS (
    SELECT
        import_country, exporter, importer, origin_country, shipments, weight_kg, first_seen,
        last_seen
    FROM monthly_traders
    WHERE month < $before
),

final AS (
    SELECT
        import_country,
        exporter,
        importer,
        origin_country,
        CAST(sum(shipments) AS BIGINT) AS shipments,
        sum(weight_kg) AS weight_kg,
        min(first_seen) AS first_seen,
        max(last_seen) AS last_seen
    FROM months
    GROUP BY import_country, exporter, importer, origin_country
)

SELECT * FROM final
