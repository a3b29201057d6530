-- The latest shipments of an entity (every spelling it holds now, in $role), each with
-- its latest shipment flag if it has one: newest first.
WITH spellings AS (
    SELECT alias FROM entity_aliases WHERE role = $role AND entity_id = $entity_id
),

theirs AS (
    SELECT s.*
    FROM shipments AS s
    WHERE (CASE WHEN $role = 'exporter' THEN s.exporter ELSE s.importer END)
        IN (SELECT alias FROM spellings)
),

latest_flags AS (
    SELECT flag_id, shipment_id, score, status
    FROM flags
    WHERE level = 'shipment'
    QUALIFY row_number() OVER (PARTITION BY shipment_id ORDER BY updated_at DESC, flag_id) = 1
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
        f.flag_id,
        f.score,
        f.status
    FROM theirs AS t
    LEFT JOIN latest_flags AS f USING (shipment_id)
    ORDER BY t.arrival_date DESC, t.shipment_id
    LIMIT $limit
)

SELECT * FROM final
