-- The latest pipeline runs, newest first.
WITH final AS (
    SELECT
        run_id AS run,
        kind,
        json_extract_string(parameters, '$.start') AS "from",
        json_extract_string(parameters, '$.end') AS "to",
        status,
        strftime(started_at, '%Y-%m-%d %H:%M') AS started,
        round(date_diff('millisecond', started_at, finished_at) / 1000, 1) AS seconds,
        shipments_scored AS scored,
        flags_written AS flags,
        detector_version AS detectors,
        error
    FROM runs
    ORDER BY run_id DESC
    LIMIT $limit
)

SELECT * FROM final
