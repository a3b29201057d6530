-- Rows whose column is null; the check passes when there are none.
SELECT 1
FROM {{ table }}
WHERE {{ column }} IS NULL;
