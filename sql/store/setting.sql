-- A DuckDB setting of this connection as it stands (for example '16.0 MiB').
WITH final AS (
    SELECT current_setting($name) AS value
)

SELECT * FROM final
