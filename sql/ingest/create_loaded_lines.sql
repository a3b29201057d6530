-- The lines of the file the batch loaded: none until its insert (ingest/loaded_lines).
CREATE OR REPLACE TEMP TABLE loaded_lines (source_line BIGINT);
