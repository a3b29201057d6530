-- How many records of the file the batch's insert left out ($loaded records were loaded):
-- a count, not a comparison of lines, so a file without a problem costs nothing more.
SELECT count(*) - $loaded AS records
FROM raw_text;
