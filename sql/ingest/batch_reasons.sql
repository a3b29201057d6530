-- How many of a batch's rows were quarantined, per reason.
SELECT reason, count(*) AS quarantined
FROM quarantine
WHERE batch_id = $batch_id
GROUP BY reason;
