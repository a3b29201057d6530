-- Forget a monthly summary's rows of the month $month (they are about to be recomputed).
DELETE FROM {{ table }}
WHERE month = $month;
