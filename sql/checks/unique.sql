-- Keys that occur more than once in a table; the check passes when there are none.
SELECT {{ columns }}
FROM {{ table }}
GROUP BY ALL
HAVING count(*) > 1;
