-- The high-severity flags a run raised for the first time.
SELECT count(*) AS new_high
FROM flags
WHERE run_id = $run_id AND severity = 'high' AND first_flagged_at = updated_at;
