-- The importing countries of the shipments that arrived from $start to $end: each is
-- scored by its own detectors, fitted on its own history.
WITH final AS (
    SELECT DISTINCT import_country
    FROM shipments
    WHERE arrival_date BETWEEN $start AND $end
)

SELECT import_country FROM final
ORDER BY import_country
