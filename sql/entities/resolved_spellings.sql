-- How many spellings resolution has placed (0: the store was never resolved).
WITH final AS (
    SELECT count(*) AS spellings FROM entity_aliases
)

SELECT * FROM final
