-- Every resolved spelling's stored record.
WITH final AS (
    SELECT * FROM entity_aliases ORDER BY role, alias
)

SELECT * FROM final
