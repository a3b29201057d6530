-- Where an entity id that a correction replaced leads now: the current entity of the
-- spellings the latest such correction kept together (a merge's spellings, or those a
-- split left behind).
WITH correction AS (
    SELECT correction_id, action
    FROM entity_corrections
    WHERE list_contains(entities, $entity_id)
    ORDER BY correction_id DESC
    LIMIT 1
),

kept AS (
    SELECT c.role, CASE WHEN k.action = 'merge' THEN c.alias_l ELSE c.alias_r END AS alias
    FROM entity_constraints AS c
    JOIN correction AS k USING (correction_id)
),

final AS (
    SELECT DISTINCT a.role, a.entity_id
    FROM entity_aliases AS a
    JOIN kept USING (role, alias)
    WHERE a.entity_id IS NOT NULL
    ORDER BY a.entity_id
    LIMIT 1
)

SELECT * FROM final
