-- Every row of the file: the records read and the lines that could not be.
SELECT (SELECT count(*) FROM raw_input) + (SELECT count(*) FROM raw_rejects) AS rows_in;
