-- The entity of one spelling on a date (no row: not seen by then, or not resolved).
WITH final AS (
    SELECT entity_id
    FROM entity_memberships
    WHERE role = $role AND alias = $alias
        AND valid_from <= $as_of AND (valid_to IS NULL OR valid_to > $as_of)
)

SELECT * FROM final
