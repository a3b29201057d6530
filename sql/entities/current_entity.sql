-- A spelling's current entity.
WITH final AS (
    SELECT entity_id FROM entity_aliases WHERE role = $role AND alias = $alias
)

SELECT * FROM final
