-- Each spelling's current entity, and what put it there: an analyst's correction that
-- names it, the model's links (an entity of several spellings), or nothing (alone).
-- Only rows that change are written.
UPDATE entity_aliases AS a
SET entity_id = m.entity_id, assigned_by = m.assigned_by
FROM (
    SELECT
        c.role,
        c.alias,
        c.entity_id,
        CASE
            WHEN n.alias IS NOT NULL THEN 'analyst'
            WHEN count(*) OVER (PARTITION BY c.role, c.entity_id) > 1 THEN 'model'
            ELSE 'alone'
        END AS assigned_by
    FROM entity_memberships AS c
    LEFT JOIN (
        SELECT DISTINCT role, alias_l AS alias FROM entity_constraints
        UNION
        SELECT DISTINCT role, alias_r AS alias FROM entity_constraints
    ) AS n USING (role, alias)
    WHERE c.valid_to IS NULL
) AS m
WHERE a.role = m.role AND a.alias = m.alias
    AND (
        a.entity_id IS DISTINCT FROM m.entity_id
        OR a.assigned_by IS DISTINCT FROM m.assigned_by
    );
