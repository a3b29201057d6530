-- The latest outcome id (0 when none was imported).
SELECT coalesce(max(outcome_id), 0) FROM inspection_outcomes
