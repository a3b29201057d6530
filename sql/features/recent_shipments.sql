-- The shipments a build over recent history reads: all from $since to $until, and
-- every earlier shipment of a controlled code (origin switches and corridor months).
WITH final AS (
    SELECT
        shipment_id,
        arrival_date,
        import_country,
        importer,
        exporter,
        origin_country,
        export_country,
        port_of_lading,
        port_of_unlading,
        hs_code,
        hs6,
        description,
        weight_kg,
        value_usd,
        transport_mode
    FROM shipments
    WHERE arrival_date <= $until
        AND (arrival_date >= $since OR hs6 IN (SELECT hs6 FROM ref_controlled_codes))
)

SELECT * FROM final
ORDER BY arrival_date, shipment_id
