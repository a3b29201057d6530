-- The spellings an entity holds now, most used first.
WITH final AS (
    SELECT
        alias,
        core_name,
        legal_form,
        name_status,
        country,
        first_seen,
        last_seen,
        shipments,
        assigned_by
    FROM entity_aliases
    WHERE role = $role AND entity_id = $entity_id
    ORDER BY shipments DESC, alias
)

SELECT * FROM final
