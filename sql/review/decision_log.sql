-- The audit log, newest first, optionally for one flag or one analyst. Imported inspection
-- outcomes are in it as 'import' entries (on a shipment, not a flag: they change no flag);
-- a log for one flag holds only the decisions on that flag.
WITH logged AS (
    SELECT
        d.decision_id,
        d.decided_at,
        d.analyst,
        d.flag_id,
        d.action,
        d.previous_status,
        d.new_status,
        d.score,
        d.note,
        f.level,
        f.shipment_id,
        f.origin_country,
        f.hs_code,
        f.material
    FROM decisions AS d
    LEFT JOIN flags AS f USING (flag_id)
    WHERE ($flag_id IS NULL OR d.flag_id = $flag_id)
        AND ($analyst IS NULL OR d.analyst = $analyst)
),

imported AS (
    SELECT
        o.outcome_id AS decision_id,
        o.imported_at AS decided_at,
        o.analyst,
        NULL::VARCHAR AS flag_id,
        'import' AS action,
        'imported' AS previous_status,
        CASE WHEN o.positive = 1 THEN 'fraud found' ELSE 'clean' END AS new_status,
        NULL::DOUBLE AS score,
        o.note || '; counts from ' || strftime(o.counts_from, '%Y-%m-%d') AS note,
        'shipment' AS level,
        o.shipment_id,
        s.origin_country,
        s.hs_code,
        NULL::VARCHAR AS material
    FROM inspection_outcomes AS o
    LEFT JOIN shipments AS s USING (shipment_id)
    WHERE $flag_id IS NULL
        AND ($analyst IS NULL OR o.analyst = $analyst)
),

final AS (
    SELECT * FROM logged
    UNION ALL
    SELECT * FROM imported
    ORDER BY decision_id DESC
    LIMIT $limit
)

SELECT * FROM final
