-- Spellings whose folded name is like the name given, closest first: suggestions when a
-- name is not known.
WITH scored AS (
    SELECT
        alias,
        role,
        jaro_winkler_similarity(upper(core_name), upper($name)) AS similarity
    FROM entity_aliases
    WHERE $role IS NULL OR role = $role
),

final AS (
    SELECT alias, role, similarity
    FROM scored
    WHERE similarity >= 0.8
    ORDER BY similarity DESC, alias
    LIMIT $limit
)

SELECT * FROM final
