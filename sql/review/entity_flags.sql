-- Every shipment flag (of any detector version) on a shipment of an entity (every
-- spelling it holds now, in $role), highest score first among the open ones.
WITH spellings AS (
    SELECT alias FROM entity_aliases WHERE role = $role AND entity_id = $entity_id
),

final AS (
    SELECT
        f.flag_id,
        f.shipment_id,
        f.flag_date,
        f.origin_country,
        f.import_country,
        f.hs_code,
        f.material,
        f.score,
        f.severity,
        f.status,
        f.detector_version,
        s.exporter,
        s.importer
    FROM flags AS f
    INNER JOIN shipments AS s USING (shipment_id)
    WHERE f.level = 'shipment'
        AND (CASE WHEN $role = 'exporter' THEN s.exporter ELSE s.importer END)
        IN (SELECT alias FROM spellings)
    ORDER BY f.status <> 'open', f.score DESC, f.flag_id
)

SELECT * FROM final
