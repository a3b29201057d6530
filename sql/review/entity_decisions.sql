-- The decisions on the given flags, newest first.
WITH final AS (
    SELECT
        d.decision_id,
        d.decided_at,
        d.analyst,
        d.flag_id,
        d.action,
        d.previous_status,
        d.new_status,
        d.note
    FROM decisions AS d
    WHERE list_contains($flag_ids, d.flag_id)
    ORDER BY d.decision_id DESC
)

SELECT * FROM final
