-- The one rule by which a rerun changes a decision: a dismissed flag that this run scored
-- at least $margin points above its score when dismissed is reopened, and the log says why.
INSERT INTO decisions BY NAME
WITH latest AS (
    SELECT
        flag_id,
        new_status,
        score,
        analyst,
        decided_at,
        row_number() OVER (PARTITION BY flag_id ORDER BY decision_id DESC) AS recency
    FROM decisions
),

risen AS (
    SELECT
        f.flag_id,
        f.score,
        l.score AS dismissed_score,
        l.analyst AS dismissed_by,
        l.decided_at AS dismissed_at
    FROM flags AS f
    INNER JOIN latest AS l ON l.flag_id = f.flag_id AND l.recency = 1
    WHERE f.run_id = $run_id
        AND f.status = 'dismissed'
        AND l.new_status = 'dismissed'
        AND f.score >= l.score + $margin
),

final AS (
    SELECT
        nextval('decision_ids') AS decision_id,
        flag_id,
        'reopen' AS action,
        'dismissed' AS previous_status,
        'open' AS new_status,
        score,
        printf(
            'Reopened automatically: run %d scored it %.0f, %.0f points above the %.0f it had '
            || 'when %s dismissed it on %s (flags reopen when the score rises by %.0f).',
            $run_id, score, score - dismissed_score, dismissed_score, dismissed_by,
            strftime(dismissed_at, '%Y-%m-%d'), $margin
        ) AS note,
        'transship' AS analyst,
        now()::TIMESTAMP AS decided_at
    FROM risen
    ORDER BY flag_id
)

SELECT * FROM final
