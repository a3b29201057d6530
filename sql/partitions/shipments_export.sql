-- The stored shipments that arrived in the month from $month, up to $until, with the
-- columns a feature build reads (features/recent_shipments): one exported file's rows.
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
    WHERE arrival_date >= $month
        AND arrival_date < $next_month
        AND arrival_date <= $until
)

SELECT * FROM final
