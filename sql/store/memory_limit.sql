-- DuckDB's memory limit as it stands (for example '18.8 GiB').
WITH final AS (
    SELECT current_setting('memory_limit') AS memory_limit
)

SELECT * FROM final
