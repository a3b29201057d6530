-- Every correction that named one of an entity's spellings or the entity itself, newest
-- first.
WITH spellings AS (
    SELECT alias FROM entity_aliases WHERE role = $role AND entity_id = $entity_id
),

touching AS (
    SELECT DISTINCT correction_id
    FROM entity_constraints
    WHERE role = $role
        AND (alias_l IN (SELECT alias FROM spellings) OR alias_r IN (SELECT alias FROM spellings))
),

final AS (
    SELECT correction_id, action, named, entities, note, analyst, corrected_at
    FROM entity_corrections
    WHERE correction_id IN (SELECT correction_id FROM touching)
        OR list_contains(entities, $entity_id)
    ORDER BY correction_id DESC
)

SELECT * FROM final
