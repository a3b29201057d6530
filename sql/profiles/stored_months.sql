-- A monthly summary's rows of the months before $before.
SELECT *
FROM {{ table }}
WHERE month < $before;
