-- Each id of a labels file (registered as label_ids) with what the store knows of it:
-- 'stored' (a shipment), 'quarantined' (a row refused at ingest names it, under
-- shipment_id or under the labels file's id column), else 'unknown'.
WITH wanted AS (
    SELECT DISTINCT shipment_id FROM label_ids
),

stored AS (
    SELECT shipment_id FROM shipments
    SEMI JOIN wanted USING (shipment_id)
),

raw_records AS (
    SELECT raw_record FROM quarantine
    WHERE json_valid(raw_record)
),

quarantined AS (
    SELECT DISTINCT trim(fields.value ->> '$') AS shipment_id
    FROM raw_records, json_each(raw_records.raw_record) AS fields
    WHERE lower(trim(fields.key)) IN ('shipment_id', lower(trim($id_column)))
),

final AS (
    SELECT
        wanted.shipment_id,
        CASE
            WHEN stored.shipment_id IS NOT NULL THEN 'stored'
            WHEN quarantined.shipment_id IS NOT NULL THEN 'quarantined'
            ELSE 'unknown'
        END AS status
    FROM wanted
    LEFT JOIN stored USING (shipment_id)
    LEFT JOIN quarantined USING (shipment_id)
)

SELECT * FROM final
