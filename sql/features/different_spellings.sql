-- Pairs of spellings an analyst said are different firms (a split in force: each pair's
-- latest constraint).
WITH ranked AS (
    SELECT
        role,
        alias_l,
        alias_r,
        kind,
        row_number() OVER (
            PARTITION BY role, least(alias_l, alias_r), greatest(alias_l, alias_r)
            ORDER BY correction_id DESC
        ) AS latest
    FROM entity_constraints
),

final AS (
    SELECT role, alias_l, alias_r
    FROM ranked
    WHERE latest = 1 AND kind = 'different'
)

SELECT * FROM final
ORDER BY role, alias_l, alias_r
