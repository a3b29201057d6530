-- How many entities there are now, and how many of them are kept unresolved.
WITH final AS (
    SELECT
        count(*) AS entities,
        count(*) FILTER (WHERE unresolved) AS unresolved
    FROM entities
    WHERE merged_into IS NULL
)

SELECT * FROM final
