-- The traders of every shipment flag an analyst confirmed, one row per role, with the days
-- on which the confirmation counts for a shipment arriving then: from the day after it
-- was recorded (valid_from) to the day of the flag's next decision (valid_to, inclusive;
-- NULL: still), for a build up to $until. A dismissal or reopening ends a confirmation.
WITH decided AS (
    SELECT
        flag_id,
        new_status,
        analyst,
        decided_at,
        lead(decided_at) OVER (PARTITION BY flag_id ORDER BY decided_at, decision_id) AS next_at
    FROM decisions
),

confirmed AS (
    SELECT
        d.flag_id,
        d.analyst,
        d.decided_at::DATE AS decided_on,
        d.decided_at::DATE + 1 AS valid_from,
        d.next_at::DATE AS valid_to,
        s.exporter,
        s.importer
    FROM decided AS d
    INNER JOIN flags AS f USING (flag_id)
    INNER JOIN shipments AS s USING (shipment_id)
    WHERE d.new_status = 'confirmed'
        AND f.level = 'shipment'
        AND d.decided_at::DATE < $until
),

final AS (
    SELECT 'exporter' AS role, exporter AS alias, flag_id, analyst, decided_on, valid_from, valid_to
    FROM confirmed
    WHERE exporter IS NOT NULL
    UNION ALL
    SELECT 'importer' AS role, importer AS alias, flag_id, analyst, decided_on, valid_from, valid_to
    FROM confirmed
    WHERE importer IS NOT NULL
)

SELECT * FROM final
ORDER BY role, alias, decided_on, flag_id
