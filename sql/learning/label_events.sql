-- Every label event that counts before $before, oldest first: analysts' decisions on
-- shipment flags (confirmed and escalated 1, dismissed 0, a reopening null: undecided
-- again) from when they were recorded, and imported inspection outcomes from the day they
-- count from, each with its shipment's importing country (each country learns from its
-- own). seq orders events of the same instant.
WITH analysts AS (
    SELECT
        f.shipment_id,
        CASE
            WHEN d.new_status IN ('confirmed', 'escalated') THEN 1
            WHEN d.new_status = 'dismissed' THEN 0
        END AS positive,
        d.decided_at AS effective,
        d.decision_id AS seq,
        'decision' AS source,
        f.import_country
    FROM decisions AS d
    INNER JOIN flags AS f USING (flag_id)
    WHERE f.level = 'shipment' AND d.decided_at < $before
),

imported AS (
    SELECT
        shipment_id,
        positive,
        counts_from::TIMESTAMP AS effective,
        o.outcome_id AS seq,
        'imported' AS source,
        s.import_country
    FROM inspection_outcomes AS o
    INNER JOIN shipments AS s USING (shipment_id)
    WHERE o.counts_from::TIMESTAMP < $before
),

final AS (
    SELECT * FROM analysts
    UNION ALL
    SELECT * FROM imported
    ORDER BY effective, seq
)

SELECT * FROM final
