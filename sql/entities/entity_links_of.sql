-- The model's links among an entity's spellings, strongest first.
WITH spellings AS (
    SELECT alias FROM entity_aliases WHERE role = $role AND entity_id = $entity_id
),

final AS (
    SELECT l.alias_l, l.alias_r, l.match_probability, l.match_weight, l.model_version
    FROM entity_links AS l
    WHERE l.role = $role
        AND l.alias_l IN (SELECT alias FROM spellings)
        AND l.alias_r IN (SELECT alias FROM spellings)
    ORDER BY l.match_probability DESC, l.alias_l, l.alias_r
)

SELECT * FROM final
