-- An importer's profile (a firm of the flag's importing country).
WITH final AS (
    SELECT * FROM profile_importers
    WHERE import_country = $importer AND importer = $name
)

SELECT * FROM final
