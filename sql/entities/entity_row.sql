-- One entity as stored.
WITH final AS (
    SELECT * FROM entities WHERE entity_id = $entity_id
)

SELECT * FROM final
