-- Add the rows of a frame registered on the connection to a table, matching columns by
-- name. The caller holds the transaction.
INSERT INTO {{ table }} BY NAME
SELECT * FROM {{ frame }};
