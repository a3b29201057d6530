-- Outcomes recorded after the id $after: how many, and how many found fraud.
SELECT count(*) AS outcomes, coalesce(sum(positive), 0) AS positives
FROM inspection_outcomes
WHERE outcome_id > $after
