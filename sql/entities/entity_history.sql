-- The earlier entities a later spelling joined to this one, and when.
WITH final AS (
    SELECT entity_id, entity_name, aliases, shipments, first_seen, merged_on
    FROM entities
    WHERE merged_into = $entity_id
    ORDER BY merged_on, entity_id
)

SELECT * FROM final
