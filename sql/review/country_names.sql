-- The names of the given countries, for the partners drawn on the Warnings page's charts.
WITH final AS (
    SELECT code, name
    FROM ref_countries
    WHERE list_contains($codes, code)
)

SELECT * FROM final
