-- An optional column the file lacks, added empty so the adapter's SQL can read it.
ALTER TABLE raw_text ADD COLUMN {{ column }} VARCHAR;
