-- The controlled codes' shipments from $since to before $before, only what an
-- importer's origin switches read of them (switches_before: the rows within a year
-- after a control; what came before them is read summed, earlier_importer_origins).
WITH controlled AS (
    SELECT hs6 FROM ref_controlled_codes
),

final AS (
    SELECT
        shipment_id,
        arrival_date,
        import_country,
        importer,
        exporter,
        origin_country,
        hs6,
        weight_kg
    FROM shipments
    WHERE arrival_date >= $since
        AND arrival_date < $before
        AND hs6 IN (SELECT hs6 FROM controlled)
)

-- In no order: the caller sorts them.
SELECT * FROM final
