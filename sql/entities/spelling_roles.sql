-- The role and current entity of a spelling, per role it is used in.
WITH final AS (
    SELECT role, entity_id
    FROM entity_aliases
    WHERE alias = $alias AND ($role IS NULL OR role = $role)
    ORDER BY role
)

SELECT * FROM final
