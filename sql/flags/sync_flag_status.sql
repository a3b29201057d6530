-- A flag's status is its latest decision; the log is the record, this keeps the cache.
UPDATE flags
SET status = latest.new_status
FROM (
    SELECT flag_id, new_status
    FROM decisions
    QUALIFY row_number() OVER (PARTITION BY flag_id ORDER BY decision_id DESC) = 1
) AS latest
WHERE flags.flag_id = latest.flag_id
    AND flags.status <> latest.new_status
