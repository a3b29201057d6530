-- Every shipment a partition scored (new_scores), flagged or not.
INSERT INTO shipment_scores BY NAME
SELECT
    shipment_id,
    arrival_date,
    score,
    base_score,
    exact,
    learned,
    learned_weight,
    learned_model,
    chosen_for_learning,
    $run_id AS run_id,
    $detector_version AS detector_version
FROM new_scores
