-- The stored shipments that arrived up to $until, with the columns a feature build reads
-- (features/recent_shipments) and their arrival month, which names each exported file's
-- folder: a partition's reads then touch only the months it needs.
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
        transport_mode,
        CAST(date_trunc('month', arrival_date) AS DATE) AS month
    FROM shipments
    WHERE arrival_date <= $until
)

SELECT * FROM final
