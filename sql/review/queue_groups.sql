-- The given shipment flags grouped into cases: one per trader of $role (its current
-- entity; its spelling where it has none) and corridor (origin, importing country,
-- material), the case with the highest score first.
WITH chosen AS (
    SELECT
        f.flag_id,
        f.score,
        f.severity,
        f.flag_date,
        f.origin_country,
        f.import_country,
        f.material,
        CASE WHEN $role = 'exporter' THEN s.exporter ELSE s.importer END AS spelling
    FROM flags AS f
    INNER JOIN shipments AS s USING (shipment_id)
    WHERE f.level = 'shipment' AND list_contains($flag_ids, f.flag_id)
),

named AS (
    SELECT
        c.*,
        a.entity_id,
        coalesce(e.entity_name, c.spelling, '(no name)') AS trader
    FROM chosen AS c
    LEFT JOIN entity_aliases AS a ON a.role = $role AND a.alias = c.spelling
    LEFT JOIN entities AS e ON e.entity_id = a.entity_id
),

final AS (
    SELECT
        entity_id,
        trader,
        origin_country,
        import_country,
        material,
        count(*) AS flags,
        max(score) AS top_score,
        arg_max(severity, score) AS severity,
        min(flag_date) AS first_date,
        max(flag_date) AS last_date,
        list(DISTINCT spelling ORDER BY spelling) AS spellings,
        list(flag_id ORDER BY score DESC, flag_id) AS flag_ids
    FROM named
    GROUP BY entity_id, trader, origin_country, import_country, material
    ORDER BY top_score DESC, flags DESC, trader, origin_country, import_country, material
)

SELECT * FROM final
