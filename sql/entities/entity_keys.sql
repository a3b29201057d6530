-- Every shipment that arrived by $as_of with its exporter's and importer's entity as
-- they were on $as_of (NULL for a name not resolved yet, or no name). A spelling first
-- seen after $as_of cannot have joined them.
WITH arrived AS (
    SELECT shipment_id, arrival_date, exporter, importer
    FROM shipments
    WHERE arrival_date <= $as_of
),

members AS (
    SELECT role, alias, entity_id
    FROM entity_memberships
    WHERE valid_from <= $as_of AND (valid_to IS NULL OR valid_to > $as_of)
),

final AS (
    SELECT
        a.shipment_id,
        a.arrival_date,
        ex.entity_id AS exporter_entity_id,
        im.entity_id AS importer_entity_id
    FROM arrived AS a
    LEFT JOIN members AS ex ON ex.role = 'exporter' AND ex.alias = a.exporter
    LEFT JOIN members AS im ON im.role = 'importer' AND im.alias = a.importer
    ORDER BY a.arrival_date, a.shipment_id
)

SELECT * FROM final
