-- A trader's profile in the flag's importing country ($importer): the profile table and
-- its key column are the slots (trader names are not reconciled across countries).
WITH final AS (
    SELECT *
    FROM {{ table }}
    WHERE import_country = $importer AND {{ key }} = $name
)

SELECT * FROM final
