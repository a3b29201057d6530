-- Per importing country, importer spelling, material and origin: the first
-- arrival and the weight of the controlled codes' shipments before $before (origin
-- switches: what an importer bought before a control). One row per span of the
-- spelling's entity membership the shipments arrived in (entity_memberships, as far as
-- the build sees them), so that each row keys to one entity whichever day a build keys
-- it by (transship/features/entities.py).
WITH controlled AS (
    -- A shared code's materials as the features name them: 'gallium/germanium'.
    SELECT hs6, string_agg(material, '/' ORDER BY material) AS material
    FROM ref_controlled_codes
    GROUP BY hs6
),

earlier AS (
    SELECT
        shipments.import_country,
        shipments.importer,
        controlled.material,
        shipments.origin_country,
        shipments.arrival_date,
        shipments.weight_kg
    FROM shipments
    INNER JOIN controlled ON shipments.hs6 = controlled.hs6
    WHERE shipments.arrival_date < $before
),

spans AS (
    SELECT alias, valid_from, valid_to
    FROM entity_memberships
    WHERE role = 'importer'
),

placed AS (
    SELECT
        earlier.*,
        spans.valid_from AS span
    FROM earlier
    LEFT JOIN spans
        ON earlier.importer = spans.alias
        AND earlier.arrival_date >= spans.valid_from
        AND (spans.valid_to IS NULL OR earlier.arrival_date < spans.valid_to)
),

final AS (
    SELECT
        import_country,
        importer,
        material,
        origin_country,
        min(arrival_date) AS first_seen,
        sum(weight_kg) AS kg
    FROM placed
    GROUP BY import_country, importer, material, origin_country, span
)

SELECT * FROM final
