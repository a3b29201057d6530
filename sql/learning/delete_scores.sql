-- A rerun replaces the scores of its range.
DELETE FROM shipment_scores
WHERE arrival_date BETWEEN $first AND $last
