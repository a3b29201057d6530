-- One row per spelling: its role, the spelling exactly as in the shipments, its entity
-- and the entity's name, its shipments; optionally one role, or only the spellings kept
-- unresolved (a name the model cannot match, alone in its entity).
WITH final AS (
    SELECT
        a.role,
        a.alias,
        a.entity_id,
        e.entity_name,
        a.shipments,
        a.name_status
    FROM entity_aliases AS a
    JOIN entities AS e USING (entity_id)
    WHERE ($role IS NULL OR a.role = $role)
        AND (NOT $unresolved OR (a.name_status <> 'ok' AND e.aliases = 1))
    ORDER BY a.role, e.entity_name, a.entity_id, a.shipments DESC, a.alias
)

SELECT * FROM final
