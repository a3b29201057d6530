-- Make a table hold exactly the rows of a frame registered on the connection, writing only
-- the rows that differ: delete each stored row (by its key, unique in both) that the frame
-- does not hold as it is, then add the frame's rows the table does not hold. The caller
-- holds the transaction.
DELETE FROM {{ table }}
WHERE ({{ keys }}) IN (
    SELECT ({{ keys }})
    FROM (
        SELECT {{ columns }} FROM {{ table }}
        EXCEPT
        SELECT {{ columns }} FROM {{ frame }}
    )
);

INSERT INTO {{ table }} ({{ columns }})
SELECT {{ columns }} FROM {{ frame }}
EXCEPT
SELECT {{ columns }} FROM {{ table }};
