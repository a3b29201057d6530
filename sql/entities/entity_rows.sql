-- Every entity that ever was a key, from the spellings' memberships: the current ones
-- with their name (most used spelling), spellings, shipments and dates; the earlier ones
-- (joined to an older entity by a later spelling) with what they were joined to and when.
WITH current_members AS (
    SELECT m.entity_id, a.*
    FROM entity_memberships AS m
    JOIN entity_aliases AS a USING (role, alias)
    WHERE m.valid_to IS NULL
),

current_entities AS (
    SELECT
        entity_id,
        first(role) AS role,
        first(alias ORDER BY shipments DESC, first_seen, alias) AS entity_name,
        count(*) AS aliases,
        sum(shipments) AS shipments,
        min(first_seen) AS first_seen,
        max(last_seen) AS last_seen,
        count(*) = 1 AND bool_and(name_status <> 'ok') AS unresolved,
        NULL::VARCHAR AS merged_into,
        NULL::DATE AS merged_on
    FROM current_members
    GROUP BY entity_id
),

closed AS (
    SELECT *
    FROM entity_memberships
    WHERE entity_id NOT IN (SELECT entity_id FROM current_entities)
),

closed_shipments AS (
    SELECT c.entity_id, count(*) AS shipments
    FROM closed AS c
    JOIN shipments AS s
        ON c.role = 'exporter' AND s.exporter = c.alias
        AND s.arrival_date >= c.valid_from AND s.arrival_date < c.valid_to
    GROUP BY c.entity_id
    UNION ALL
    SELECT c.entity_id, count(*) AS shipments
    FROM closed AS c
    JOIN shipments AS s
        ON c.role = 'importer' AND s.importer = c.alias
        AND s.arrival_date >= c.valid_from AND s.arrival_date < c.valid_to
    GROUP BY c.entity_id
),

successors AS (
    SELECT DISTINCT ON (c.entity_id) c.entity_id, m.entity_id AS merged_into
    FROM closed AS c
    JOIN entity_memberships AS m
        ON m.role = c.role AND m.alias = c.alias AND m.valid_from = c.valid_to
    ORDER BY c.entity_id, m.entity_id
),

earlier_entities AS (
    SELECT
        c.entity_id,
        first(c.role) AS role,
        first(c.alias ORDER BY c.valid_from, c.alias) AS entity_name,
        count(DISTINCT c.alias) AS aliases,
        coalesce(max(cs.shipments), 0) AS shipments,
        min(c.valid_from) AS first_seen,
        NULL::DATE AS last_seen,
        false AS unresolved,
        first(su.merged_into) AS merged_into,
        max(c.valid_to) AS merged_on
    FROM closed AS c
    LEFT JOIN (
        SELECT entity_id, sum(shipments) AS shipments FROM closed_shipments GROUP BY entity_id
    ) AS cs USING (entity_id)
    LEFT JOIN successors AS su USING (entity_id)
    GROUP BY c.entity_id
),

final AS (
    SELECT * FROM current_entities
    UNION ALL BY NAME
    SELECT * FROM earlier_entities
)

SELECT * FROM final ORDER BY entity_id
