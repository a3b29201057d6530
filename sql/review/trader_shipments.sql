-- A trader's shipments as exporter or importer into the flag's importing country up to a
-- date (the flagged one's), latest first, with the newest flag on each.
WITH traded AS (
    SELECT *
    FROM shipments
    WHERE (($role = 'exporter' AND exporter = $name) OR ($role = 'importer' AND importer = $name))
        AND import_country = $importer
        AND arrival_date <= $until
),

latest_flag AS (
    SELECT shipment_id, flag_id, score
    FROM flags
    WHERE level = 'shipment' AND shipment_id IN (SELECT shipment_id FROM traded)
    QUALIFY row_number() OVER (PARTITION BY shipment_id ORDER BY updated_at DESC) = 1
),

final AS (
    SELECT
        t.shipment_id,
        t.arrival_date,
        t.exporter,
        t.importer,
        t.origin_country,
        t.hs_code,
        t.weight_kg,
        t.value_usd,
        t.transport_mode,
        f.flag_id,
        f.score
    FROM traded AS t
    LEFT JOIN latest_flag AS f ON f.shipment_id = t.shipment_id
    ORDER BY t.arrival_date DESC, t.shipment_id
    LIMIT $limit
)

SELECT * FROM final
