-- The lines of the file the batch $batch_id loaded: staging then reads only the others.
INSERT INTO loaded_lines
SELECT source_line
FROM shipments
WHERE batch_id = $batch_id;
