-- Every stored shipment that arrived on or before $until, oldest first.
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
)

SELECT * FROM final
ORDER BY arrival_date, shipment_id;
