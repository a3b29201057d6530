-- How many records of the file the batch's insert left out (each has a problem to list).
SELECT count(*) AS records
FROM shipments_input
ANTI JOIN loaded_lines USING (source_line);
