-- Every stored link between two spellings.
WITH final AS (
    SELECT role, alias_l, alias_r, match_probability
    FROM entity_links
    ORDER BY role, alias_l, alias_r
)

SELECT * FROM final
