-- One decision per chosen flag, with the flag's status and score as they were.
INSERT INTO decisions BY NAME
WITH chosen AS (
    SELECT flag_id, status AS previous_status, score
    FROM flags
    WHERE flag_id IN (SELECT unnest($flag_ids::VARCHAR[]))
),

final AS (
    SELECT
        nextval('decision_ids') AS decision_id,
        flag_id,
        $action AS action,
        previous_status,
        $new_status AS new_status,
        score,
        $note AS note,
        $analyst AS analyst,
        now()::TIMESTAMP AS decided_at
    FROM chosen
    ORDER BY flag_id
)

SELECT * FROM final
