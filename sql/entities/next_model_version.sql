-- The version the next resolution's models take.
SELECT coalesce(max(model_version), 0) + 1 AS model_version FROM entity_models
