-- The audit log, newest first, optionally for one flag or one analyst.
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

final AS (
    SELECT * FROM logged
    ORDER BY decision_id DESC
    LIMIT $limit
)

SELECT * FROM final
