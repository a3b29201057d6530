-- The WAL size at which DuckDB checkpoints on commit, as it stands (for example '16.0 MiB').
WITH final AS (
    SELECT current_setting('checkpoint_threshold') AS checkpoint_threshold
)

SELECT * FROM final
