-- The model's links between two spellings, with their probability.
WITH final AS (
    SELECT role, alias_l, alias_r, match_probability
    FROM entity_links
)

SELECT * FROM final
ORDER BY role, alias_l, alias_r
