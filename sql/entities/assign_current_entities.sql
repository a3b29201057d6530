-- Each spelling's current entity, and what put it there: an analyst's correction that
-- names it, the model's links (an entity of several spellings), or nothing (alone).
UPDATE entity_aliases AS a
SET
    entity_id = m.entity_id,
    assigned_by = CASE
        WHEN a.alias IN (
            SELECT alias_l FROM entity_constraints WHERE role = a.role
            UNION ALL
            SELECT alias_r FROM entity_constraints WHERE role = a.role
        ) THEN 'analyst'
        WHEN m.members > 1 THEN 'model'
        ELSE 'alone'
    END
FROM (
    SELECT role, alias, entity_id, count(*) OVER (PARTITION BY role, entity_id) AS members
    FROM entity_memberships
    WHERE valid_to IS NULL
) AS m
WHERE a.role = m.role AND a.alias = m.alias;
