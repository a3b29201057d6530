-- Add the rows of a frame registered on the connection, matching columns by name. The
-- caller holds the transaction.
INSERT INTO {{ table }} BY NAME
SELECT * FROM {{ frame }};
