-- Set a DuckDB setting for this connection (for example memory_limit to '1GB').
SET {{ setting }} = $value
