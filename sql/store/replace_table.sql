-- Replace every row of a table with those of a frame registered on the connection,
-- matching columns by name. The caller holds the transaction.
DELETE FROM {{ table }};

INSERT INTO {{ table }} BY NAME
SELECT * FROM {{ frame }};
