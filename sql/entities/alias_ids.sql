-- The id of every spelling resolved so far.
WITH final AS (
    SELECT role, alias, alias_id FROM entity_aliases
)

SELECT * FROM final
