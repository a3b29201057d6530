-- Set DuckDB's memory limit for this connection (for example '1GB').
SET memory_limit = $limit
