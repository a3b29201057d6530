-- Forget a monthly summary's rows of the months $first to $last (they are about to be
-- recomputed).
DELETE FROM {{ table }}
WHERE month BETWEEN $first AND $last;
