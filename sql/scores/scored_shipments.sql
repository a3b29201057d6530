-- Every shipment scored in [$start, $end] with its importing country and its score,
-- flagged or not, by arrival date: whether it is a flag of the detector version that scored it, whether it was chosen for
-- learning, and whether its score is exact (false: the costly models skipped it and the
-- score is a lower bound).
WITH scored AS (
    SELECT * FROM shipment_scores
    WHERE arrival_date BETWEEN $start AND $end
),

flagged AS (
    SELECT DISTINCT shipment_id, detector_version
    FROM flags
    WHERE level = 'shipment' AND flag_date BETWEEN $start AND $end
),

final AS (
    SELECT
        scored.shipment_id,
        scored.arrival_date,
        s.import_country,
        scored.score,
        flagged.shipment_id IS NOT NULL AND scored.chosen_for_learning IS NULL AS flagged,
        scored.chosen_for_learning,
        scored.learned,
        scored.exact
    FROM scored
    LEFT JOIN shipments AS s ON s.shipment_id = scored.shipment_id
    LEFT JOIN flagged
        ON flagged.shipment_id = scored.shipment_id
        AND flagged.detector_version = scored.detector_version
    ORDER BY scored.arrival_date, scored.score DESC, scored.shipment_id
)

SELECT * FROM final
