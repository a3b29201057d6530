-- How many lines the CSV reader could not split.
SELECT count(*) AS lines
FROM raw_rejects;
