-- An exporter's profile in the flag's importing country.
WITH final AS (
    SELECT * FROM profile_exporters
    WHERE import_country = $importer AND exporter = $name
)

SELECT * FROM final
