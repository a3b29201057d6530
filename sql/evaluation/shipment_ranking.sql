-- The shipment flags, best first: the ranking evaluated against labels. Shipments chosen
-- for learning are in the queue but were not flagged as suspicious: they are left out.
WITH flagged AS (
    SELECT f.shipment_id, f.score
    FROM flags AS f
    LEFT JOIN shipment_scores AS s
        ON s.shipment_id = f.shipment_id AND s.detector_version = f.detector_version
    WHERE f.level = 'shipment' AND s.chosen_for_learning IS NULL
),

final AS (
    SELECT shipment_id, score FROM flagged
    ORDER BY score DESC, shipment_id
)

SELECT * FROM final;
