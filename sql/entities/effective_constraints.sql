-- The analysts' corrections in force: for each pair of spellings, its latest constraint
-- (a 'cleared' pair has none).
WITH ranked AS (
    SELECT
        role,
        least(alias_l, alias_r) AS alias_l,
        greatest(alias_l, alias_r) AS alias_r,
        kind,
        correction_id,
        row_number() OVER (
            PARTITION BY role, least(alias_l, alias_r), greatest(alias_l, alias_r)
            ORDER BY correction_id DESC
        ) AS latest
    FROM entity_constraints
),

final AS (
    SELECT role, alias_l, alias_r, kind, correction_id
    FROM ranked
    WHERE latest = 1 AND kind <> 'cleared'
)

SELECT * FROM final
