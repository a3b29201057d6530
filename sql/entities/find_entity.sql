-- The current entity a name names: an entity id (an earlier entity leads to the one it
-- was joined to, through as many joins as there were), or a spelling exactly as written.
WITH RECURSIVE chain AS (
    SELECT entity_id AS named_id, role, entity_id, merged_into, 0 AS depth
    FROM entities
    WHERE entity_id = $name AND ($role IS NULL OR role = $role)
    UNION ALL
    SELECT c.named_id, e.role, e.entity_id, e.merged_into, c.depth + 1
    FROM chain AS c
    JOIN entities AS e ON e.entity_id = c.merged_into
    WHERE c.depth < 1000
),

by_id AS (
    SELECT role, entity_id FROM chain WHERE merged_into IS NULL
),

by_spelling AS (
    SELECT role, entity_id
    FROM entity_aliases
    WHERE alias = $name AND ($role IS NULL OR role = $role) AND entity_id IS NOT NULL
),

final AS (
    SELECT role, entity_id FROM by_id
    UNION
    SELECT role, entity_id FROM by_spelling WHERE NOT EXISTS (SELECT 1 FROM by_id)
)

SELECT * FROM final ORDER BY role
