-- Every row of one of the entity tables, to compare with what a rebuild computed.
WITH final AS (
    SELECT * FROM {{ table }}
)

SELECT * FROM final
