-- The latest trained model of a role.
WITH final AS (
    SELECT model_version, settings, threshold
    FROM entity_models
    WHERE role = $role
    ORDER BY model_version DESC
    LIMIT 1
)

SELECT * FROM final
