-- The weight and arrival of each named exporter's shipments that arrived after $after and
-- up to $until (the exporters' recent growth reads them).
WITH final AS (
    SELECT import_country, exporter, arrival_date, weight_kg
    FROM shipments
    WHERE arrival_date > $after
        AND arrival_date <= $until
        AND exporter IS NOT NULL
)

SELECT * FROM final;
