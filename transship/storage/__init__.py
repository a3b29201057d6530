"""The store: one DuckDB file, its migrations, SQL files, checks and summary."""
