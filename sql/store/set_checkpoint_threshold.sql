-- Set the WAL size at which DuckDB checkpoints on commit (for example '64MiB').
SET checkpoint_threshold = $threshold
